'use strict';
// One real nginx for the whole run: a server block per row, each on its own 127.0.0.1 port.
const fs = require('fs');
const net = require('net');
const path = require('path');
const procs = require('./procs');
const { staticRoot } = require('./static-files');

/** nginx workers: 1 leaves the second core to wrk and the backend (the machine has 2). */
const WORKER_PROCESSES = 1;

/** @typedef {Pick<import('./rows').Row, 'id' | 'listen' | 'proxy' | 'addr'>} NginxRow */

/**
 * nginx's address for a backend: "unix:/path" or "127.0.0.1:PORT".
 * @param {import('./rows').Addr | null} addr
 */
function upstreamAddress(addr) {
  if (!addr) throw new Error('the row has no backend address');
  if (addr.unix) return `unix:${addr.unix}`;
  return `${addr.host || '127.0.0.1'}:${addr.port}`;
}

/** @param {string} id */
function upstreamName(id) {
  return `up_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The location body of one row (pure).
 * @param {NginxRow} row
 * @param {string} uwsgiParams
 * @param {string} [dir]  the run's dir (the static rows' files are under it)
 * @returns {string[]}
 */
function locationFor(row, uwsgiParams, dir = '') {
  switch (row.proxy) {
    case 'return':
      return ['default_type text/plain;', 'return 200 "Hello World!";'];
    case 'static':
      // As nginx is deployed to serve files: sendfile (zero-copy), default_type for .bin.
      return [`root ${staticRoot(dir)};`, 'sendfile on;', 'default_type application/octet-stream;'];
    case 'uwsgi':
      return [`include ${uwsgiParams};`, `uwsgi_pass ${upstreamAddress(row.addr)};`];
    case 'http':
      return [`proxy_pass http://${upstreamAddress(row.addr)};`];
    case 'http-ka':
      return [
        `proxy_pass http://${upstreamName(row.id)};`,
        'proxy_http_version 1.1;',
        'proxy_set_header Connection "";',
      ];
    default:
      throw new Error(`row ${row.id}: unknown proxy kind ${row.proxy}`);
  }
}

/**
 * The whole nginx.conf (pure). rows: [{id, listen, proxy, addr}]. Everything nginx writes goes
 * under `dir`. `user root` because the sockets live in a 0700 temp dir with the blog's
 * chmod-socket = 660: nginx's workers must be able to reach them (ignored when not root).
 * @param {{ dir: string, rows: NginxRow[], uwsgiParams?: string, workerProcesses?: number, asRoot?: boolean }} what
 */
function renderConf({ dir, rows, uwsgiParams = '/etc/nginx/uwsgi_params', workerProcesses = WORKER_PROCESSES, asRoot = true }) {
  const lines = [
    '# written by bench/lib/nginx.js',
    'daemon off;',
    'master_process on;',
    `worker_processes ${workerProcesses};`,
    ...(asRoot ? ['user root;'] : []),
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'nginx-error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${path.join(dir, 'nginx-client-body')};`,
    `  proxy_temp_path ${path.join(dir, 'nginx-proxy')};`,
    `  fastcgi_temp_path ${path.join(dir, 'nginx-fastcgi')};`,
    `  uwsgi_temp_path ${path.join(dir, 'nginx-uwsgi')};`,
    `  scgi_temp_path ${path.join(dir, 'nginx-scgi')};`,
    '  # the 64 KiB POST rows: the body is buffered in memory, and so is the 64 KiB answer',
    '  client_max_body_size 1m;',
    '  client_body_buffer_size 128k;',
    '  uwsgi_buffers 8 16k;',
    '  proxy_buffers 8 16k;',
    '  keepalive_requests 100000;',
  ];
  for (const row of rows) {
    if (row.proxy === 'http-ka') {
      lines.push(`  upstream ${upstreamName(row.id)} {`, `    server ${upstreamAddress(row.addr)};`, '    keepalive 32;', '  }');
    }
  }
  for (const row of rows) {
    lines.push(
      `  server { # ${row.id}`,
      `    listen 127.0.0.1:${row.listen};`,
      '    location / {',
      ...locationFor(row, uwsgiParams, dir).map((l) => `      ${l}`),
      '    }',
      '  }',
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function canConnect(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (/** @type {boolean} */ ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Write the conf and start nginx (bounded: 10 s until every port accepts). Returns
 * {proc, conf, errorLog, stop()}.
 * @param {string} bin
 * @param {{ dir: string, rows: NginxRow[], uwsgiParams: string }} what
 */
async function start(bin, { dir, rows, uwsgiParams }) {
  const conf = path.join(dir, 'nginx.conf');
  const errorLog = path.join(dir, 'nginx-error.log');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  fs.writeFileSync(conf, renderConf({ dir, rows, uwsgiParams, asRoot }));
  const proc = await procs.spawnGroup('nginx', bin, ['-p', dir, '-c', conf, '-e', errorLog], { stopSignal: 'SIGTERM' });
  const deadline = Date.now() + 10000;
  for (const row of rows) {
    for (;;) {
      if (proc.exited) {
        const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '';
        throw new Error(`nginx exited at start (${proc.code ?? proc.signal}): ${(proc.output() + log).trim().slice(-1500)}`);
      }
      if (await canConnect(row.listen)) break;
      if (Date.now() > deadline) {
        await procs.stop(proc);
        throw new Error(`nginx did not listen on 127.0.0.1:${row.listen} (${row.id}) within 10s; see ${errorLog}`);
      }
      await procs.sleep(50);
    }
  }
  return { proc, conf, errorLog, stop: () => procs.stop(proc) };
}

module.exports = { renderConf, locationFor, upstreamAddress, upstreamName, start, canConnect, WORKER_PROCESSES };
