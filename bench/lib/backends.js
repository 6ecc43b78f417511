'use strict';
// Start and stop the backend of a row: uWSGI (Flask or the C route), a Node cluster, tsuwsgi.
// Each start writes its config into the run's temp dir and returns a handle with the root pid
// (for PSS) and stop().
const fs = require('fs');
const path = require('path');
const procs = require('./procs');
const { staticDir } = require('./static-files');

/** @typedef {import('./rows').Row} Row */
/** @typedef {import('./rows').Backend} Backend */
/** @typedef {import('./rows').Addr} Addr */
/**
 * @typedef {object} Handle  a started backend
 * @property {number} pid  the root of its process tree
 * @property {import('./procs').Proc | null} proc  null for nginx's own row
 * @property {string | null} logFile
 * @property {() => string} describe  its state, output and log tail, for error messages
 * @property {() => Promise<string>} stop
 */
/**
 * @typedef {object} StartContext
 * @property {string} dir  the run's temp dir
 * @property {{ uwsgi?: string, wrk?: string }} bins
 * @property {{ proc: import('./procs').Proc, errorLog?: string }} nginx
 */

const BENCH = path.resolve(__dirname, '..');
const REPO = path.resolve(BENCH, '..');
const TSUWSGI_BIN = path.join(REPO, 'bin', 'tsuwsgi');
const NODE_CLUSTER = path.join(BENCH, 'backends', 'node-cluster.js');
const NODE_FLOOR = path.join(BENCH, 'backends', 'node-floor.js');
const MASTER_RR = path.join(BENCH, 'backends', 'tsuwsgi-master-rr.js');
/** @type {Record<string, string>} */
const APPS = {
  hello: path.join(BENCH, 'apps', 'hello.js'),
  echo: path.join(BENCH, 'apps', 'echo.js'),
  cpu: path.join(BENCH, 'apps', 'cpu.js'),
};
const FLASK_SOURCE = path.join(BENCH, 'apps', 'flask_app.py');

/** The blog's uwsgi.ini settings shared by every uWSGI and tsuwsgi row. */
/** @type {[string, string][]} */
const BLOG_SETTINGS = [
  ['master', 'true'],
  ['chmod-socket', '660'],
  ['vacuum', 'true'],
  ['die-on-term', 'true'],
  ['buffer-size', '65535'],
  ['limit-post', '104857600'],
];

/**
 * `[uwsgi]` ini text from [key, value] pairs (pure).
 * @param {[string, string][]} pairs
 */
function renderIni(pairs) {
  return ['[uwsgi]', ...pairs.map(([k, v]) => `${k} = ${v}`), ''].join('\n');
}

/**
 * @param {Backend} backend
 * @param {Addr | null} addr
 * @returns {[string, string]}
 */
function socketPair(backend, addr) {
  if (!addr) throw new Error('the row has no address: run.js assigns one before starting it');
  if (backend.transport === 'unix' && addr.unix) return ['socket', addr.unix];
  if (backend.transport === 'tcp') return ['socket', `127.0.0.1:${addr.port}`];
  if (backend.transport === 'http') return ['http-socket', `127.0.0.1:${addr.port}`];
  throw new Error(`unknown transport ${backend.transport} (or no unix path)`);
}

/**
 * node-floor.js's address argument for a row (pure): unix:PATH or tcp:PORT.
 * @param {Row} row
 */
function floorAddress(row) {
  const [, value] = socketPair(row.backend, row.addr);
  return row.backend.transport === 'unix' ? `unix:${value}` : `tcp:${value.slice(value.lastIndexOf(':') + 1)}`;
}

/**
 * The uWSGI ini of a row (pure). app 'flask': the blog's app; 'route': C only, no Python.
 * @param {Row} row
 * @param {{ dir: string, logFile: string }} where
 */
function uwsgiIni(row, { dir, logFile }) {
  const b = row.backend;
  /** @type {[string, string][]} */
  const pairs = [];
  if (b.app === 'flask') {
    pairs.push(['plugins', 'python3'], ['chdir', dir], ['wsgi-file', 'flask_app.py'], ['callable', 'app']);
  } else if (b.app === 'route') {
    pairs.push(['route-run', 'return:200']);
  } else {
    throw new Error(`row ${row.id}: unknown uWSGI app ${b.app}`);
  }
  pairs.push(socketPair(b, row.addr), ['processes', String(b.processes)], ['threads', String(b.threads)], ...BLOG_SETTINGS);
  if (b.thunderLock) pairs.push(['thunder-lock', 'true']);
  if (b.staticMap) pairs.push(['static-map', `/static=${staticDir(dir)}`]);
  if (!b.logging) pairs.push(['disable-logging', 'true']);
  pairs.push(['logto', logFile]);
  return renderIni(pairs);
}

/**
 * The tsuwsgi ini of a row (pure).
 * @param {Row} row
 * @param {{ logFile: string, dir?: string }} where  dir: the run's (the static-map rows)
 */
function tsuwsgiIni(row, { logFile, dir }) {
  const b = row.backend;
  const file = b.app === undefined ? undefined : APPS[b.app];
  if (!file) throw new Error(`row ${row.id}: unknown tsuwsgi app ${b.app}`);
  /** @type {[string, string][]} */
  const pairs = [
    ['wsgi-file', file],
    socketPair(b, row.addr),
    ['processes', String(b.processes)],
    ['threads', String(b.threads)],
    ...BLOG_SETTINGS,
  ];
  if (!b.logging) pairs.push(['disable-logging', 'true']);
  if (b.stats) pairs.push(['stats', statsSocket(row)]);
  if (b.staticMap) {
    if (!dir) throw new Error(`row ${row.id}: static-map needs the run's dir`);
    pairs.push(['static-map', `/static=${staticDir(dir)}`]);
  }
  for (const [k, v] of Object.entries(b.extra || {})) pairs.push([k, v]);
  pairs.push(['logto', logFile]);
  return renderIni(pairs);
}

/**
 * The stats socket of a row with `stats: true`: next to its unix socket (pure).
 * @param {Row} row
 */
function statsSocket(row) {
  if (!row.addr || !row.addr.unix) throw new Error(`row ${row.id}: stats needs a unix-socket row`);
  return row.addr.unix.replace(/\.sock$/, '') + '-stats.sock';
}

/** @param {string} file */
function tail(file, bytes = 1500) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

/**
 * Start the backend of `row`.
 * @param {Row} row
 * @param {StartContext} ctx
 * @returns {Promise<Handle>}
 */
async function start(row, ctx) {
  const b = row.backend;
  const logFile = path.join(ctx.dir, `${row.id}.log`);
  const addr = row.addr ?? {};
  if (b.kind === 'nginx') {
    // Row 1: nginx itself is the backend; its PSS is nginx's (master + worker).
    return { pid: ctx.nginx.proc.pid, proc: null, logFile: null, describe: () => '', stop: async () => 'none' };
  }
  /** @type {import('./procs').Proc} */
  let proc;
  if (b.kind === 'uwsgi') {
    if (b.app === 'flask' && !fs.existsSync(path.join(ctx.dir, 'flask_app.py'))) {
      fs.copyFileSync(FLASK_SOURCE, path.join(ctx.dir, 'flask_app.py'));
    }
    const ini = path.join(ctx.dir, `${row.id}.ini`);
    fs.writeFileSync(ini, uwsgiIni(row, { dir: ctx.dir, logFile }));
    // uWSGI 2.0: SIGTERM means "reload" unless die-on-term; SIGINT always means "stop now".
    if (!ctx.bins.uwsgi) throw new Error(`row ${row.id}: uwsgi was not found`);
    proc = await procs.spawnGroup(row.id, ctx.bins.uwsgi, ['--ini', ini], { cwd: ctx.dir, stopSignal: 'SIGINT' });
  } else if (b.kind === 'tsuwsgi') {
    const ini = path.join(ctx.dir, `${row.id}.ini`);
    fs.writeFileSync(ini, tsuwsgiIni(row, { logFile, dir: ctx.dir }));
    proc = await procs.spawnGroup(row.id, b.node || process.execPath, [b.bin || TSUWSGI_BIN, ini], { cwd: REPO, stopSignal: 'SIGTERM' });
  } else if (b.kind === 'tsuwsgi-master-rr') {
    // Its own command line: SOCKET_PATH PROCESSES APP_FILE LOG_FILE|- (threads = 1, unix only).
    const app = b.app === undefined ? undefined : APPS[b.app];
    if (b.transport !== 'unix' || !addr.unix) throw new Error(`row ${row.id}: tsuwsgi-master-rr serves a unix socket only`);
    if (!app) throw new Error(`row ${row.id}: unknown tsuwsgi app ${b.app}`);
    const args = [MASTER_RR, addr.unix, String(b.processes), app, b.logging ? logFile : '-'];
    proc = await procs.spawnGroup(row.id, process.execPath, args, { cwd: REPO, stopSignal: 'SIGTERM' });
  } else if (b.kind === 'node-cluster') {
    const env = { ...process.env };
    delete env.NODE_CLUSTER_SCHED_POLICY; // Node's default: round-robin on Linux
    proc = await procs.spawnGroup(row.id, b.node || process.execPath, [NODE_CLUSTER, String(addr.port), String(b.processes)], {
      env,
      stopSignal: 'SIGTERM',
    });
  } else if (b.kind === 'node-floor') {
    proc = await procs.spawnGroup(row.id, b.node || process.execPath, [NODE_FLOOR, floorAddress(row), String(b.processes)], { stopSignal: 'SIGTERM' });
  } else {
    throw new Error(`row ${row.id}: unknown backend kind ${b.kind}`);
  }
  return {
    pid: proc.pid,
    proc,
    logFile,
    describe() {
      const state = proc.exited ? `exited (${proc.code ?? proc.signal})` : `running (pid ${proc.pid})`;
      const out = proc.output().trim().slice(-1500);
      const log = tail(logFile).trim();
      return [`${row.id} ${state}`, out && `output:\n${out}`, log && `log ${logFile}:\n${log}`].filter(Boolean).join('\n');
    },
    async stop() {
      const how = await procs.stop(proc);
      if (b.transport === 'unix' && addr.unix) fs.rmSync(addr.unix, { force: true });
      return how;
    },
  };
}

module.exports = { start, uwsgiIni, tsuwsgiIni, floorAddress, statsSocket, renderIni, BLOG_SETTINGS, TSUWSGI_BIN, MASTER_RR, REPO, APPS };
