import { expect } from 'chai';
import { benchLib } from './helpers.js';
import { findOption } from '../../../src/config/options';

const { renderConf, locationFor, upstreamAddress, upstreamName, WORKER_PROCESSES } = benchLib('nginx');
const { uwsgiIni, tsuwsgiIni, renderIni, statsSocket, floorAddress, APPS } = benchLib('backends');
const { allRows, PROCESSES, THREADS, POST_BYTES, IDLE_REST_S, STEP_PLAN } = benchLib('rows');
const { check, missingMessage } = benchLib('tools');

type Row = ReturnType<typeof allRows>[number];
const ROWS: Row[] = allRows();
const row = (id: string): Row => ({ ...ROWS.find((r: Row) => r.id === id) });

/** The ini text as [key, value] pairs. */
const pairs = (ini: string) => ini.split('\n').slice(1).filter(Boolean).map((l) => l.split(' = '));

describe('bench rows and generated configs', () => {
  describe('rows', () => {
    it('have unique ids and cover the issue\'s groups 1 to 11, issue 14\'s 12 to 14, step, young, v8, uring and the PSS set', () => {
      const ids = ROWS.map((r) => r.id);
      expect(new Set(ids).size).to.equal(ids.length);
      expect([...new Set(ROWS.map((r) => r.group))]).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', 'step', 'young', 'v8', 'uring', 'pss']);
      expect(ids[0]).to.equal('nginx');
    });
    it('use processes=2 threads=1 everywhere except the CPU, PSS, seed, cheaper, step, v8 and uring rows', () => {
      expect([PROCESSES, THREADS]).to.deep.equal([2, 1]);
      for (const r of ROWS.filter((x) => x.backend.kind !== 'nginx' && !['9', '12', '13', 'step', 'v8', 'uring', 'pss'].includes(x.group))) {
        expect([r.backend.processes, r.backend.threads], r.id).to.deep.equal([2, 1]);
      }
      expect(ROWS.filter((r) => r.group === '9').map((r) => [r.backend.processes, r.backend.threads])).to.deep.equal([[1, 1], [1, 2], [2, 1]]);
      expect(ROWS.filter((r) => r.group === 'pss').map((r) => r.backend.processes)).to.deep.equal([4, 4]);
    });
    it('need nginx and wrk always, uWSGI+python3+flask for Flask rows, uwsgi alone for the C route', () => {
      for (const r of ROWS) expect(r.needsAll.slice(0, 2), r.id).to.deep.equal(['nginx', 'wrk']);
      expect(row('uwsgi-flask').needsAll).to.deep.equal(['nginx', 'wrk', 'uwsgi', 'uwsgi-python3', 'flask']);
      expect(row('uwsgi-c').needsAll).to.deep.equal(['nginx', 'wrk', 'uwsgi']);
      expect(row('tsuwsgi-unix').needsAll).to.deep.equal(['nginx', 'wrk']);
    });
    it('POST 64 KiB to /echo on the POST rows only', () => {
      expect(POST_BYTES).to.equal(65536);
      for (const r of ROWS.filter((x) => !x.id.startsWith('static-') || x.id === 'static-map-app')) {
        const post = r.group === '8';
        expect(r.request, r.id).to.deep.equal(post ? { method: 'POST', path: '/echo', bodyBytes: 65536 } : { method: 'GET', path: '/' });
      }
    });
    it('marks the master-accept row as needing the accept-mode option', () => {
      expect(row('tsuwsgi-master-accept').feature).to.equal('accept-mode');
      expect(row('tsuwsgi-master-accept').backend.extra).to.deep.equal({ 'accept-mode': 'master' });
      expect(row('tsuwsgi-master-accept').fallback.kind).to.equal('tsuwsgi-master-rr');
      for (const r of ROWS.filter((x) => x.id !== 'tsuwsgi-master-accept')) expect(r.fallback, r.id).to.equal(null);
    });
    it('group 11: a 1 KiB and a 1 MiB file by nginx, uWSGI static-map and tsuwsgi static-map, checked by size; the app with static-map set', () => {
      const { STATIC_FILES } = benchLib('static-files');
      expect(STATIC_FILES).to.deep.equal({ '1k.txt': 1024, '1m.bin': 1048576 });
      for (const [size, file] of [['1k', '1k.txt'], ['1m', '1m.bin']]) {
        const three = ROWS.filter((r) => r.id.startsWith(`static-${size}-`));
        expect(three.map((r) => [r.id, r.proxy, r.backend.kind])).to.deep.equal([
          [`static-${size}-nginx`, 'static', 'nginx'], [`static-${size}-uwsgi`, 'uwsgi', 'uwsgi'], [`static-${size}-tsuwsgi`, 'uwsgi', 'tsuwsgi'],
        ]);
        for (const r of three) expect(r.request, r.id).to.deep.equal({ method: 'GET', path: `/static/${file}`, answerBytes: STATIC_FILES[file] });
      }
      expect(row('static-map-app').request).to.deep.equal({ method: 'GET', path: '/' });
      expect(row('static-map-app').backend.staticMap).to.equal(true);
    });
    it('group 2 has uWSGI+Flask over TCP too (2x1, logging on), for the 2x1 TCP comparison', () => {
      expect(row('uwsgi-flask-tcp').backend).to.deep.include({ kind: 'uwsgi', app: 'flask', transport: 'tcp', logging: true, processes: 2, threads: 1 });
    });
    it('group 12: the seed ini (4 processes x 2 threads, logging on) for uWSGI+Flask, tsuwsgi and uWSGI’s C route, unix and tcp', () => {
      const seed = ROWS.filter((r) => r.group === '12');
      expect(seed.map((r) => r.id)).to.deep.equal([
        'seed-uwsgi-flask-unix', 'seed-tsuwsgi-unix', 'seed-uwsgi-c-unix', 'seed-uwsgi-flask-tcp', 'seed-tsuwsgi-tcp', 'seed-uwsgi-c-tcp',
      ]);
      expect(row('seed-uwsgi-c-tcp').backend).to.deep.include({ kind: 'uwsgi', app: 'route' });
      expect(row('uwsgi-c-tcp').backend).to.deep.include({ kind: 'uwsgi', app: 'route', transport: 'tcp', processes: 2, threads: 1 });
      for (const r of seed) {
        expect(r.backend, r.id).to.deep.include({ processes: 4, threads: 2, logging: true, transport: r.id.endsWith('tcp') ? 'tcp' : 'unix' });
        expect(r.backend.extra, r.id).to.equal(undefined);
      }
      expect(row('seed-uwsgi-flask-unix').needsAll).to.deep.equal(['nginx', 'wrk', 'uwsgi', 'uwsgi-python3', 'flask']);
    });
    it('group 13: cheaper 4/1 rests until 1 worker is left, the fixed rows do not wait; all measure the idle PSS after the load', () => {
      const g = ROWS.filter((r) => r.group === '13');
      expect(g.map((r) => [r.id, r.backend.processes, r.backend.extra ?? null, r.idleAfter])).to.deep.equal([
        ['cheaper-p4c1', 4, { cheaper: '1' }, { workers: 1 }],
        ['fixed-p4', 4, null, { workers: null }],
        ['fixed-p1', 1, null, { workers: null }],
      ]);
      for (const r of g) expect(r.backend, r.id).to.deep.include({ kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, threads: 1 });
      expect(ROWS.filter((r) => r.idleAfter && r.group !== 'v8').map((r) => r.id)).to.deep.equal(g.map((r) => r.id));
    });
    it('group v8: the seed ini with node-args naming every flag measured (so both builds run it alike), idle PSS after the load', () => {
      const g = ROWS.filter((r) => r.group === 'v8');
      expect(g.map((r) => r.id)).to.deep.equal(['v8-node', 'v8-ncr', 'v8-stgc', 'v8-ncr-stgc', 'v8-st', 'v8-ncr-hgp50']);
      for (const r of g) {
        expect(r.backend, r.id).to.deep.include({ kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, processes: 4, threads: 2 });
        expect(r.idleAfter, r.id).to.deep.equal({ workers: null });
        expect(r.noBaseline, r.id).to.equal(true);
      }
      for (const r of g.filter((x) => x.id !== 'v8-st')) expect(r.backend.extra['node-args'], r.id).to.match(/--(no-)?concurrent-recompilation --(no-)?single-threaded-gc/);
      expect(row('v8-node').backend.extra).to.deep.equal({ 'node-args': '--concurrent-recompilation --no-single-threaded-gc' });
    });
    it('group uring: the seed ini, with UV_USE_IO_URING set for the workers by the env option (or not at all)', () => {
      const g = ROWS.filter((r) => r.group === 'uring');
      expect(g.map((r) => [r.id, r.backend.extra ?? null])).to.deep.equal([
        ['uring-default', null],
        ['uring-off', { env: 'UV_USE_IO_URING=0' }],
        ['uring-on', { env: 'UV_USE_IO_URING=1' }],
      ]);
      for (const r of g) expect(r.backend, r.id).to.deep.include({ kind: 'tsuwsgi', transport: 'unix', logging: true, processes: 4, threads: 2 });
    });
    it('group 14: busy-on differs from busy-off only by cheaper 1, initial 2, algo manual (2 workers either way)', () => {
      const off = row('busy-off');
      const on = row('busy-on');
      expect(off.backend).to.deep.include({ kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false, processes: 2 });
      expect(on.backend.extra).to.deep.equal({ cheaper: '1', 'cheaper-initial': '2', 'cheaper-algo': 'manual' });
      expect({ ...on.backend, extra: undefined }).to.deep.equal({ ...off.backend, extra: undefined });
    });
    it('group 14: busy-off-again is busy-off, run after busy-on (the run\'s noise)', () => {
      expect(row('busy-off-again').backend).to.deep.equal(row('busy-off').backend);
      expect(ROWS.filter((r) => r.group === '14').map((r) => r.id)).to.deep.equal(['busy-off', 'busy-on', 'busy-off-again']);
    });
    it("rests longer than tsuwsgi's idle-gc default before an idle PSS, in the pss rows, group 13 and the step's rest", () => {
      const idleGc = Number(findOption('idle-gc')?.default);
      expect(idleGc).to.be.above(0);
      expect(IDLE_REST_S).to.be.at.least(idleGc + 2);
      expect(STEP_PLAN.restS).to.be.at.least(idleGc + 2);
    });
    it('group step: the 5 s / 64 connections 15 s / 40 s plan, with cheaper 4/1 and with 1 fixed worker', () => {
      const g = ROWS.filter((r) => r.group === 'step');
      expect(g.map((r) => [r.id, r.backend.processes, r.backend.extra ?? null])).to.deep.equal([['step-p4c1', 4, { cheaper: '1' }], ['step-p1', 1, null]]);
      for (const r of g) expect(r.timeline, r.id).to.deep.equal({ idleS: 5, loadS: 15, restS: 40, connections: 64 });
      expect(ROWS.filter((r) => r.timeline).length).to.equal(2);
    });
    it('returns fresh objects each time', () => {
      const a = allRows();
      a[1].backend.processes = 99;
      expect(allRows()[1].backend.processes).to.equal(2);
    });
  });

  describe('nginx.conf', () => {
    const rows = [
      { id: 'nginx', listen: 4001, proxy: 'return', addr: null },
      { id: 'u-unix', listen: 4002, proxy: 'uwsgi', addr: { unix: '/t/u.sock' } },
      { id: 'u-tcp', listen: 4003, proxy: 'uwsgi', addr: { host: '127.0.0.1', port: 5003 } },
      { id: 'h', listen: 4004, proxy: 'http', addr: { port: 5004 } },
      { id: 'h-ka', listen: 4005, proxy: 'http-ka', addr: { port: 5005 } },
    ];
    const conf: string = renderConf({ dir: '/t', rows });

    it('runs one master with 1 worker in the foreground, root workers, everything under the temp dir', () => {
      expect(WORKER_PROCESSES).to.equal(1);
      for (const d of ['daemon off;', 'master_process on;', 'worker_processes 1;', 'user root;', 'pid /t/nginx.pid;', 'error_log /t/nginx-error.log warn;', 'access_log off;']) {
        expect(conf).to.contain(d);
      }
      for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) expect(conf).to.match(new RegExp(`${t}_temp_path /t/nginx-`));
      expect(conf).to.not.match(/\/var\/(log|lib)/);
    });
    it('leaves out `user` when not root', () => {
      expect(renderConf({ dir: '/t', rows, asRoot: false })).to.not.contain('user root');
    });
    it('buffers the 64 KiB POST bodies in memory', () => {
      expect(conf).to.contain('client_max_body_size 1m;');
      expect(conf).to.contain('client_body_buffer_size 128k;');
    });
    it('has one server block per row, each on its own 127.0.0.1 port', () => {
      expect(conf.match(/server \{/g)).to.have.length(5);
      for (const r of rows) expect(conf).to.contain(`listen 127.0.0.1:${r.listen};`);
    });
    it('answers by itself on the nginx row', () => {
      expect(locationFor(rows[0], '/p')).to.deep.equal(['default_type text/plain;', 'return 200 "Hello World!";']);
    });
    it('uwsgi_passes to a unix socket or a TCP port, with the uwsgi_params include', () => {
      expect(locationFor(rows[1], '/etc/nginx/uwsgi_params')).to.deep.equal(['include /etc/nginx/uwsgi_params;', 'uwsgi_pass unix:/t/u.sock;']);
      expect(locationFor(rows[2], '/p')).to.deep.equal(['include /p;', 'uwsgi_pass 127.0.0.1:5003;']);
    });
    it('proxy_passes without keepalive directly, with keepalive through an upstream block', () => {
      expect(locationFor(rows[3], '/p')).to.deep.equal(['proxy_pass http://127.0.0.1:5004;']);
      expect(locationFor(rows[4], '/p')).to.deep.equal(['proxy_pass http://up_h_ka;', 'proxy_http_version 1.1;', 'proxy_set_header Connection "";']);
      expect(conf).to.match(/upstream up_h_ka \{\s+server 127\.0\.0\.1:5005;\s+keepalive 32;\s+\}/);
      expect(conf.match(/upstream /g)).to.have.length(1);
    });
    it('makes valid upstream names and addresses', () => {
      expect(upstreamName('node-cluster-ka')).to.equal('up_node_cluster_ka');
      expect(upstreamName('a.b c')).to.equal('up_a_b_c');
      expect(upstreamAddress({ unix: '/x.sock' })).to.equal('unix:/x.sock');
      expect(upstreamAddress({ port: 9 })).to.equal('127.0.0.1:9');
    });
    it('refuses an unknown proxy kind', () => {
      expect(() => locationFor({ id: 'z', proxy: 'fastcgi' }, '/p')).to.throw('row z: unknown proxy kind fastcgi');
    });
    it('balances its braces', () => {
      expect(conf.split('{').length).to.equal(conf.split('}').length);
    });
  });

  describe('uWSGI ini', () => {
    it('serves the blog\'s Flask app with the blog\'s settings, logging on by default', () => {
      const r = { ...row('uwsgi-flask'), addr: { unix: '/t/uwsgi-flask.sock' } };
      expect(pairs(uwsgiIni(r, { dir: '/t', logFile: '/t/uwsgi-flask.log' }))).to.deep.equal([
        ['plugins', 'python3'], ['chdir', '/t'], ['wsgi-file', 'flask_app.py'], ['callable', 'app'],
        ['socket', '/t/uwsgi-flask.sock'], ['processes', '2'], ['threads', '1'],
        ['master', 'true'], ['chmod-socket', '660'], ['vacuum', 'true'], ['die-on-term', 'true'],
        ['buffer-size', '65535'], ['limit-post', '104857600'],
        ['logto', '/t/uwsgi-flask.log'],
      ]);
    });
    it('turns request logging off with disable-logging', () => {
      const r = { ...row('uwsgi-flask-nolog'), addr: { unix: '/t/s' } };
      expect(uwsgiIni(r, { dir: '/t', logFile: '/t/l' })).to.contain('\ndisable-logging = true\n');
    });
    it('answers from C without Python for the route rows, thunder-lock only where asked', () => {
      const c = uwsgiIni({ ...row('uwsgi-c'), addr: { unix: '/t/c.sock' } }, { dir: '/t', logFile: '/t/l' });
      expect(c).to.contain('route-run = return:200');
      expect(c).to.not.match(/plugins|wsgi-file|thunder-lock/);
      const t = uwsgiIni({ ...row('uwsgi-c-thunder'), addr: { unix: '/t/c.sock' } }, { dir: '/t', logFile: '/t/l' });
      expect(t).to.contain('thunder-lock = true');
    });
    it('group 12: the seed ini for uWSGI is the blog\'s, processes = 4 and threads = 2 (which turns uWSGI\'s threads on), over unix or tcp', () => {
      const unix = pairs(uwsgiIni({ ...row('seed-uwsgi-flask-unix'), addr: { unix: '/t/s.sock' } }, { dir: '/t', logFile: '/t/l' }));
      expect(unix).to.deep.include.members([['socket', '/t/s.sock'], ['processes', '4'], ['threads', '2'], ['master', 'true'], ['logto', '/t/l']]);
      expect(unix.some(([k]) => k === 'disable-logging')).to.equal(false);
      const tcp = pairs(uwsgiIni({ ...row('seed-uwsgi-flask-tcp'), addr: { host: '127.0.0.1', port: 7003 } }, { dir: '/t', logFile: '/t/l' }));
      expect(tcp).to.deep.include(['socket', '127.0.0.1:7003']);
      expect(uwsgiIni({ ...row('uwsgi-flask-tcp'), addr: { host: '127.0.0.1', port: 7004 } }, { dir: '/t', logFile: '/l' })).to.contain('\nsocket = 127.0.0.1:7004\nprocesses = 2\nthreads = 1\n');
    });
    it('refuses an unknown app', () => {
      const r = { ...row('uwsgi-c'), backend: { ...row('uwsgi-c').backend, app: 'perl' }, addr: { unix: '/s' } };
      expect(() => uwsgiIni(r, { dir: '/t', logFile: '/l' })).to.throw('unknown uWSGI app perl');
    });
  });

  describe('Node floor rows', () => {
    it('run 2 processes of backends/node-floor.js behind uwsgi_pass, on a unix socket and over TCP', () => {
      expect(row('node-floor')).to.deep.include({ group: '3', proxy: 'uwsgi' });
      expect(row('node-floor').backend).to.deep.include({ kind: 'node-floor', transport: 'unix', processes: 2, threads: 1 });
      expect(row('node-floor-tcp').backend).to.deep.include({ kind: 'node-floor', transport: 'tcp', processes: 2 });
    });
    it('hand node-floor.js its address as unix:PATH or tcp:PORT', () => {
      expect(floorAddress({ ...row('node-floor'), addr: { unix: '/t/floor.sock' } })).to.equal('unix:/t/floor.sock');
      expect(floorAddress({ ...row('node-floor-tcp'), addr: { host: '127.0.0.1', port: 7003 } })).to.equal('tcp:7003');
    });
  });

  describe('tsuwsgi ini', () => {
    it('serves bench/apps/hello.js on a unix socket with the blog\'s settings', () => {
      const r = { ...row('tsuwsgi-unix'), addr: { unix: '/t/ts.sock' } };
      expect(pairs(tsuwsgiIni(r, { logFile: '/t/ts.log' }))).to.deep.equal([
        ['wsgi-file', APPS.hello], ['socket', '/t/ts.sock'], ['processes', '2'], ['threads', '1'],
        ['master', 'true'], ['chmod-socket', '660'], ['vacuum', 'true'], ['die-on-term', 'true'],
        ['buffer-size', '65535'], ['limit-post', '104857600'], ['logto', '/t/ts.log'],
      ]);
      expect(APPS.hello).to.match(/bench\/apps\/hello\.js$/);
    });
    it('uses socket = 127.0.0.1:PORT over TCP and http-socket for the http row', () => {
      expect(tsuwsgiIni({ ...row('tsuwsgi-tcp-nolog'), addr: { port: 7001 } }, { logFile: '/l' })).to.contain('\nsocket = 127.0.0.1:7001\n').and.contain('disable-logging = true');
      expect(tsuwsgiIni({ ...row('tsuwsgi-http-ka'), addr: { port: 7002 } }, { logFile: '/l' })).to.contain('\nhttp-socket = 127.0.0.1:7002\n');
    });
    it('adds accept-mode = master on row 7 and the CPU rows\' processes and threads', () => {
      expect(tsuwsgiIni({ ...row('tsuwsgi-master-accept'), addr: { unix: '/s' } }, { logFile: '/l' })).to.contain('\naccept-mode = master\n');
    });
    it('group 10: the same server with stats off and on (a stats socket next to the app socket), logging off', () => {
      const off = pairs(tsuwsgiIni({ ...row('stats-off'), addr: { unix: '/t/stats-off.sock' } }, { logFile: '/l' }));
      const on = pairs(tsuwsgiIni({ ...row('stats-on'), addr: { unix: '/t/stats-on.sock' } }, { logFile: '/l' }));
      expect(off.some(([k]) => k === 'stats')).to.equal(false);
      expect(on.filter(([k]) => k === 'stats')).to.deep.equal([['stats', '/t/stats-on-stats.sock']]);
      const withoutStats = on.filter(([k]) => k !== 'stats').map(([k, v]) => [k, v.replace('stats-on', 'stats-off')]);
      expect(withoutStats).to.deep.equal(off);
      expect(off).to.deep.include(['disable-logging', 'true']);
      expect(() => statsSocket({ ...row('stats-on'), addr: { port: 1 } })).to.throw('stats needs a unix-socket row');
      const cpu = tsuwsgiIni({ ...row('cpu-p1t2'), addr: { unix: '/s' } }, { logFile: '/l' });
      expect(cpu).to.contain(`wsgi-file = ${APPS.cpu}`).and.contain('processes = 1').and.contain('threads = 2');
    });
    it('static-map = /static=<run dir>/www/static for uWSGI and tsuwsgi; nginx serves <run dir>/www itself', () => {
      expect(tsuwsgiIni({ ...row('static-1k-tsuwsgi'), addr: { unix: '/s' } }, { logFile: '/l', dir: '/run' })).to.contain('\nstatic-map = /static=/run/www/static\n');
      expect(uwsgiIni({ ...row('static-1m-uwsgi'), addr: { unix: '/s' } }, { dir: '/run', logFile: '/l' })).to.contain('\nstatic-map = /static=/run/www/static\n');
      expect(() => tsuwsgiIni({ ...row('static-map-app'), addr: { unix: '/s' } }, { logFile: '/l' })).to.throw("static-map needs the run's dir");
      expect(tsuwsgiIni({ ...row('tsuwsgi-unix'), addr: { unix: '/s' } }, { logFile: '/l', dir: '/run' })).to.not.contain('static-map');
      expect(locationFor({ id: 'static-1k-nginx', listen: 1, proxy: 'static', addr: null }, '/p', '/run')).to.deep.equal([
        'root /run/www;', 'sendfile on;', 'default_type application/octet-stream;',
      ]);
    });
    it('group 12 and 14: the seed ini for tsuwsgi, and busy-on\'s cheaper lines after the blog\'s settings', () => {
      const seed = pairs(tsuwsgiIni({ ...row('seed-tsuwsgi-tcp'), addr: { port: 7005 } }, { logFile: '/l' }));
      expect(seed.slice(1, 4)).to.deep.equal([['socket', '127.0.0.1:7005'], ['processes', '4'], ['threads', '2']]);
      const on = pairs(tsuwsgiIni({ ...row('busy-on'), addr: { unix: '/s' } }, { logFile: '/l' }));
      expect(on.slice(-5)).to.deep.equal([['disable-logging', 'true'], ['cheaper', '1'], ['cheaper-initial', '2'], ['cheaper-algo', 'manual'], ['logto', '/l']]);
      expect(tsuwsgiIni({ ...row('step-p4c1'), addr: { unix: '/s' } }, { logFile: '/l' })).to.contain('\nprocesses = 4\n').and.contain('\ncheaper = 1\n');
    });
    it('starts with the [uwsgi] section', () => {
      expect(renderIni([['a', 'b']])).to.equal('[uwsgi]\na = b\n');
    });
  });

  describe('prerequisites', () => {
    const reqs = {
      here: { pkg: 'p-here', what: 'here', check: () => '/bin/here' },
      gone: { pkg: 'p-gone', what: 'gone (/usr/bin/gone)', check: () => null },
      gone2: { pkg: 'p-gone', what: 'gone2', check: () => null },
    };
    it('reports what was found and what is missing, each name once', () => {
      expect(check(['here', 'gone', 'gone'], reqs)).to.deep.equal({
        found: { here: '/bin/here' },
        missing: [{ name: 'gone', what: 'gone (/usr/bin/gone)', pkg: 'p-gone' }],
      });
    });
    it('refuses an unknown requirement name', () => {
      expect(() => check(['nope'], reqs)).to.throw('unknown requirement nope');
    });
    it('says exactly what is missing, for which rows, and the apt-get line (each package once)', () => {
      const { missing } = check(['gone', 'gone2'], reqs);
      const text: string = missingMessage(missing, { gone: ['uwsgi-flask', 'post-uwsgi-flask'] });
      expect(text).to.contain('  - gone (/usr/bin/gone) (needed by: uwsgi-flask, post-uwsgi-flask)');
      expect(text).to.contain('  - gone2\n');
      expect(text).to.contain('  apt-get install -y p-gone\n');
      expect(text).to.contain('--rows');
    });
    it('knows the Debian packages of the real requirements', () => {
      const { REQUIREMENTS } = benchLib('tools');
      const pkgs = Object.fromEntries(Object.entries(REQUIREMENTS).map(([k, v]) => [k, (v as { pkg: string }).pkg]));
      expect(pkgs).to.deep.equal({ nginx: 'nginx', wrk: 'wrk', uwsgi: 'uwsgi-core', 'uwsgi-python3': 'uwsgi-plugin-python3', flask: 'python3-flask' });
      expect(REQUIREMENTS['uwsgi-python3'].what).to.contain('/usr/lib/uwsgi/plugins/python3_plugin.so');
    });
  });
});
