'use strict';
// The rows of the table, in order. Each names how nginx reaches the backend (`proxy`), what
// backend runs (`backend`), what wrk sends (`request`) and which tools it needs.
//
// proxy:   'return'   nginx answers by itself (`return 200`)
//          'static'   nginx serves the static rows' files itself (root, sendfile on)
//          'uwsgi'    include uwsgi_params; uwsgi_pass unix:… or 127.0.0.1:PORT (per transport)
//          'http'     proxy_pass http://127.0.0.1:PORT (HTTP/1.0, a new connection per request)
//          'http-ka'  proxy_pass to an upstream { keepalive 32; }, HTTP/1.1, Connection ""
// backend.transport: 'unix' (uwsgi over a unix socket), 'tcp' (uwsgi over 127.0.0.1:PORT),
//          'http' (plain HTTP on 127.0.0.1:PORT)

/**
 * @typedef {'return' | 'static' | 'uwsgi' | 'http' | 'http-ka'} Proxy
 * @typedef {{ method: string, path: string, bodyBytes?: number, answerBytes?: number }} RequestSpec  answerBytes: the size of a right answer (probe.js)
 * @typedef {object} Backend
 * @property {'nginx' | 'uwsgi' | 'tsuwsgi' | 'tsuwsgi-master-rr' | 'node-cluster' | 'node-floor'} kind
 * @property {string} [app]  uWSGI: 'flask' | 'route'; tsuwsgi: a key of backends.APPS
 * @property {'unix' | 'tcp' | 'http'} [transport]
 * @property {boolean} [logging]
 * @property {boolean} [thunderLock]
 * @property {boolean} [stats]
 * @property {boolean} [staticMap]  static-map = /static=<run dir>/www/static (bench/lib/static-files.js)
 * @property {Record<string, string>} [extra]  more ini pairs
 * @property {string} [bin]  the bin/tsuwsgi to run (a --baseline row: the other build's)
 * @property {string} [node]  the node binary that runs it (a --node-bin row: the other Node line)
 * @property {number} [processes]
 * @property {number} [threads]
 * @typedef {object} RowDef  a row as written in ROWS below
 * @property {string} group
 * @property {string} id
 * @property {string} what
 * @property {Proxy} proxy
 * @property {Backend} backend
 * @property {string[]} [needs]
 * @property {RequestSpec} [request]
 * @property {boolean} [pssOnly]
 * @property {IdleAfter} [idleAfter]  also measure the idle PSS after the load (group 13)
 * @property {import('./timeline').Plan} [timeline]  a step-load timeline instead of a measurement (group step)
 * @property {string} [feature]  a tsuwsgi option the row needs
 * @property {boolean} [noBaseline]  no --baseline twin (the baseline build cannot do what the row measures)
 * @property {{ kind: 'tsuwsgi-master-rr', what: string }} [fallback]  what runs when it lacks `feature`
 * @typedef {object} IdleAfter  after the measured load: rest, then the median of 5 PSS samples
 * @property {number | null} workers  rest until this many worker processes are left (cheaper
 *   scaling down; bounded by IDLE_WAIT_MAX_S after the rest), or null: the rest (IDLE_REST_S) only
 * @typedef {{ unix?: string, host?: string, port?: number }} Addr
 * @typedef {object} Row  a row with its defaults filled in (allRows)
 * @property {string} group
 * @property {string} id
 * @property {string} what
 * @property {Proxy} proxy
 * @property {Backend & { processes: number, threads: number }} backend
 * @property {string[]} needs
 * @property {string[]} needsAll  nginx, wrk and `needs`
 * @property {RequestSpec} request
 * @property {boolean} pssOnly
 * @property {IdleAfter | null} idleAfter
 * @property {import('./timeline').Plan | null} timeline
 * @property {string | null} feature
 * @property {boolean} [noBaseline]
 * @property {{ kind: 'tsuwsgi-master-rr', what: string } | null} fallback
 * @property {string} [baselineOf]  the row this one is the --baseline twin of
 * @property {string} [nodeTwinOf]  the row this one is the --node-bin twin of
 * @property {number} listen  nginx's port for the row (run.js assigns it; 0 until then)
 * @property {Addr | null} addr  the backend's address (run.js assigns it; null for nginx's own row)
 */

const { youngRows, v8Rows, uringRows } = require('./memory-rows');

/** Every backend row uses these unless the row says otherwise. */
const PROCESSES = 2;
const THREADS = 1;
const POST_BYTES = 64 * 1024;
/** The blog's own uwsgi.ini: `processes = 4`, `threads = 2` (group 12). */
const SEED = { processes: 4, threads: 2 };
/** How long a group-13 row may rest for the cheaper to scale back down before its idle PSS. */
const IDLE_WAIT_MAX_S = 30;
/**
 * The rest before any idle PSS (pss rows, group 13): tsuwsgi's `idle-gc` default (30 s, what an
 * idle worker waits before its memory-reducing collection) and 2 s for it to be done, so the
 * idle figure is what an operator sees once a load is over. The Node cluster rows rest as long.
 */
const IDLE_REST_S = 32;
/** The step load of group step: idle, 64 connections, idle (seconds): the rest outlasts idle-gc. */
const STEP_PLAN = { idleS: 5, loadS: 15, restS: 40, connections: 64 };

/** @type {RequestSpec} */
const GET = { method: 'GET', path: '/' };
/** @type {RequestSpec} */
const POST = { method: 'POST', path: '/echo', bodyBytes: POST_BYTES };

const FLASK = ['uwsgi', 'uwsgi-python3', 'flask'];
const { STATIC_FILES } = require('./static-files');

/**
 * Group 11: one static file served three ways: nginx itself, uWSGI's static-map (before its
 * Flask app) and tsuwsgi's (before hello.js), both through nginx's uwsgi_pass over unix sockets.
 * @param {string} size  '1k' | '1m'
 * @param {string} file  the name under /static/
 * @returns {RowDef[]}
 */
function staticRows(size, file) {
  const request = { method: 'GET', path: `/static/${file}`, answerBytes: STATIC_FILES[file] };
  return [
    { group: '11', id: `static-${size}-nginx`, what: `static ${size} file, nginx by itself`, proxy: 'static', request, backend: { kind: 'nginx' } },
    { group: '11', id: `static-${size}-uwsgi`, what: `static ${size} file, uWSGI static-map, unix`, needs: FLASK, proxy: 'uwsgi', request,
      backend: { kind: 'uwsgi', app: 'flask', transport: 'unix', logging: true, staticMap: true } },
    { group: '11', id: `static-${size}-tsuwsgi`, what: `static ${size} file, tsuwsgi static-map, unix`, proxy: 'uwsgi', request, noBaseline: true,
      backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, staticMap: true } },
  ];
}

/**
 * Group 12: the blog's uwsgi.ini unchanged (4 processes x 2 threads, logging on) for both
 * backends, over the unix socket and over TCP (the blog's Docker setup: `socket = :8080`).
 * uWSGI's `threads = 2` turns its threads on by itself (sanitize_args: has_threads, cores = 2).
 * @returns {RowDef[]}
 */
function seedRows() {
  return /** @type {const} */ (['unix', 'tcp']).flatMap((transport) => [
    { group: '12', id: `seed-uwsgi-flask-${transport}`, what: `seed ini 4x2: uWSGI+Flask, ${transport}, logging on`, needs: FLASK, proxy: /** @type {Proxy} */ ('uwsgi'),
      backend: { kind: /** @type {const} */ ('uwsgi'), app: 'flask', transport, logging: true, ...SEED } },
    { group: '12', id: `seed-tsuwsgi-${transport}`, what: `seed ini 4x2: tsuwsgi, ${transport}, logging on`, proxy: /** @type {Proxy} */ ('uwsgi'),
      backend: { kind: /** @type {const} */ ('tsuwsgi'), app: 'hello', transport, logging: true, ...SEED } },
    // What no backend can beat here: uWSGI answering from C with the same ini. Over TCP the
    // kernel's loopback path and nginx's side of it bound every backend (design-notes "The TCP path").
    { group: '12', id: `seed-uwsgi-c-${transport}`, what: `seed ini 4x2: uWSGI route-run=return:200, ${transport} (the ceiling)`, needs: ['uwsgi'], proxy: /** @type {Proxy} */ ('uwsgi'),
      backend: { kind: /** @type {const} */ ('uwsgi'), app: 'route', transport, logging: true, ...SEED } },
  ]);
}

/**
 * Group 13: processes = 4 with cheaper = 1 (algo spare) against 4 and 1 fixed workers: req/s and
 * peak PSS under the load as every row, plus the idle PSS once the load is over (the cheaper row
 * rests until it is back at 1 worker).
 * @returns {RowDef[]}
 */
function cheaperRows() {
  /** @type {(id: string, what: string, processes: number, extra: Record<string, string> | undefined, workers: number | null) => RowDef} */
  const row = (id, what, processes, extra, workers) => ({
    group: '13', id, what, proxy: 'uwsgi', idleAfter: { workers },
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, processes, ...(extra ? { extra } : {}) },
  });
  return [
    row('cheaper-p4c1', 'tsuwsgi, unix, logging on, processes=4 cheaper=1 (spare); idle PSS at 1 worker', 4, { cheaper: '1' }, 1),
    row('fixed-p4', 'same, processes=4, no cheaper', 4, undefined, null),
    row('fixed-p1', 'same, processes=1 (the one-worker figure)', 1, undefined, null),
  ];
}

/** @type {RowDef[]} */
const ROWS = [
  { group: '1', id: 'nginx', what: 'nginx return 200 by itself', proxy: 'return', backend: { kind: 'nginx' } },

  { group: '2', id: 'uwsgi-flask', what: 'uWSGI+Flask, unix, logging on', needs: FLASK, proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'flask', transport: 'unix', logging: true } },
  { group: '2', id: 'uwsgi-flask-nolog', what: 'uWSGI+Flask, unix, logging off', needs: FLASK, proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'flask', transport: 'unix', logging: false } },
  { group: '2', id: 'uwsgi-flask-tcp', what: 'uWSGI+Flask, tcp, logging on', needs: FLASK, proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'flask', transport: 'tcp', logging: true } },

  { group: '3', id: 'uwsgi-c', what: 'uWSGI route-run=return:200, unix', needs: ['uwsgi'], proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'route', transport: 'unix', logging: false } },
  { group: '3', id: 'uwsgi-c-tcp', what: 'uWSGI route-run=return:200, tcp', needs: ['uwsgi'], proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'route', transport: 'tcp', logging: false } },
  // The Node floor: raw handles, one read, one fixed write, close; no JavaScript per request
  // (backends/node-floor.js). What any Node server could reach on the uwsgi path.
  { group: '3', id: 'node-floor', what: 'Node floor: raw handle, read, fixed write, close, unix', proxy: 'uwsgi',
    backend: { kind: 'node-floor', transport: 'unix' } },
  { group: '3', id: 'node-floor-tcp', what: 'Node floor: raw handle, read, fixed write, close, tcp', proxy: 'uwsgi',
    backend: { kind: 'node-floor', transport: 'tcp' } },
  { group: '3', id: 'uwsgi-c-thunder', what: 'same + thunder-lock', needs: ['uwsgi'], proxy: 'uwsgi',
    backend: { kind: 'uwsgi', app: 'route', transport: 'unix', logging: false, thunderLock: true } },

  { group: '4', id: 'node-cluster', what: 'Node cluster RR, proxy_pass', proxy: 'http',
    backend: { kind: 'node-cluster', transport: 'http' } },
  { group: '4', id: 'node-cluster-ka', what: 'Node cluster RR, proxy_pass keepalive', proxy: 'http-ka',
    backend: { kind: 'node-cluster', transport: 'http' } },

  { group: '5', id: 'tsuwsgi-unix', what: 'tsuwsgi, unix, logging on', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true } },
  { group: '5', id: 'tsuwsgi-unix-nolog', what: 'tsuwsgi, unix, logging off', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false } },
  // One worker keeps accepting, the other joins only while it is saturated: no thundering herd
  // at 2 x 1 on two cores that nginx and wrk share (README's sizing advice; not the default).
  { group: '5', id: 'tsuwsgi-unix-acc1', what: 'tsuwsgi, unix, logging on, accepting-workers=1', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, extra: { 'accepting-workers': '1' } } },
  { group: '5', id: 'tsuwsgi-tcp', what: 'tsuwsgi, tcp, logging on', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'tcp', logging: true } },
  { group: '5', id: 'tsuwsgi-tcp-nolog', what: 'tsuwsgi, tcp, logging off', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'tcp', logging: false } },

  { group: '6', id: 'tsuwsgi-http-ka', what: 'tsuwsgi http-socket, proxy_pass keepalive', proxy: 'http-ka',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'http', logging: true } },

  // tsuwsgi with `accept-mode = master` if it has that option; otherwise tsuwsgi's connection code
  // under a master that accepts and hands over (bench/backends/tsuwsgi-master-rr.js, written when
  // the option was measured and dropped); n/a when neither exists.
  { group: '7', id: 'tsuwsgi-master-accept', what: 'tsuwsgi accept-mode=master, unix', proxy: 'uwsgi',
    feature: 'accept-mode',
    fallback: { kind: 'tsuwsgi-master-rr', what: 'tsuwsgi code, master hands over, unix' },
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, extra: { 'accept-mode': 'master' } } },

  { group: '8', id: 'post-uwsgi-flask', what: '64 KiB POST echo, uWSGI+Flask', needs: FLASK, proxy: 'uwsgi',
    request: POST, backend: { kind: 'uwsgi', app: 'flask', transport: 'unix', logging: true } },
  { group: '8', id: 'post-tsuwsgi', what: '64 KiB POST echo, tsuwsgi', proxy: 'uwsgi',
    request: POST, backend: { kind: 'tsuwsgi', app: 'echo', transport: 'unix', logging: true } },
  { group: '8', id: 'post-tsuwsgi-pb', what: 'same, post-buffering = 1m (the body in memory)', proxy: 'uwsgi',
    request: POST, backend: { kind: 'tsuwsgi', app: 'echo', transport: 'unix', logging: true, extra: { 'post-buffering': '1m' } } },
  { group: '8', id: 'post-tsuwsgi-pb-file', what: 'same, post-buffering = 8k (the body in a temp file)', proxy: 'uwsgi',
    request: POST, backend: { kind: 'tsuwsgi', app: 'echo', transport: 'unix', logging: true, extra: { 'post-buffering': '8k' } } },

  { group: '9', id: 'cpu-p1t1', what: '2 ms CPU, processes=1 threads=1', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'cpu', transport: 'unix', logging: true, processes: 1, threads: 1 } },
  { group: '9', id: 'cpu-p1t2', what: '2 ms CPU, processes=1 threads=2', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'cpu', transport: 'unix', logging: true, processes: 1, threads: 2 } },
  { group: '9', id: 'cpu-p2t1', what: '2 ms CPU, processes=2 threads=1', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'cpu', transport: 'unix', logging: true, processes: 2, threads: 1 } },

  // The stats machinery's cost: counters in every app thread plus the stats server, scraped once a
  // second during the measurement (as a Prometheus or uwsgitop would), against the same server
  // without stats. Logging off, so the difference is not drowned in the request log's cost.
  { group: '10', id: 'stats-off', what: 'tsuwsgi, unix, logging off, stats off', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false } },
  { group: '10', id: 'stats-on', what: 'same, stats on, scraped every 1 s', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false, stats: true } },

  ...staticRows('1k', '1k.txt'),
  ...staticRows('1m', '1m.bin'),
  // The app's own requests (GET /) with a static-map configured: no mountpoint prefixes them,
  // so they must cost what they cost without one (compare with --baseline, or with tsuwsgi-unix).
  { group: '11', id: 'static-map-app', what: 'tsuwsgi, unix, logging on, static-map set, GET / (the app)', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, staticMap: true } },

  ...seedRows(),
  ...cheaperRows(),

  // The cost of cheaper's busy fields per request: cheaper = 1 turns them on in every app thread
  // (serve-thread.ts: `busy: config.cheaper > 0`), manual keeps the count at cheaper-initial = 2,
  // so both rows run 2 workers; busy-on also carries the master's one question a second per worker.
  { group: '14', id: 'busy-off', what: 'tsuwsgi, unix, logging off, no cheaper (2 workers)', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false } },
  { group: '14', id: 'busy-on', what: 'same + cheaper=1 initial=2 algo=manual (busy fields on, 2 workers)', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false, extra: { cheaper: '1', 'cheaper-initial': '2', 'cheaper-algo': 'manual' } } },
  // busy-off again, after busy-on: the same configuration twice in one pass. Its ratio to busy-off
  // is the run's noise (and any cost of running later in a pass), the yardstick for busy-on's.
  { group: '14', id: 'busy-off-again', what: 'busy-off again, after busy-on (the run\'s noise: same configuration twice)', proxy: 'uwsgi',
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: false } },

  // idle 5 s, 64 connections 15 s, idle 20 s with processes = 4, cheaper = 1 (spare): one sample a
  // second of the workers, req/s, failed requests and PSS (bench/lib/step-load.js). Once per run.
  // step-p1: one fixed worker under the same load, the one-worker figure the cheaper's idle PSS
  // should return to (a worker's heap grows with the load it served, so group 13's fixed-p1,
  // after a shorter and lighter load, is not the same figure).
  { group: 'step', id: 'step-p4c1', what: 'step load 5 s idle, 15 s x 64 connections, 20 s idle; processes=4 cheaper=1', proxy: 'uwsgi',
    timeline: STEP_PLAN, backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, processes: 4, extra: { cheaper: '1' } } },
  { group: 'step', id: 'step-p1', what: 'the same step load; processes=1 (the one-worker figure)', proxy: 'uwsgi',
    timeline: STEP_PLAN, backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, processes: 1 } },

  ...youngRows(),
  ...v8Rows(SEED),
  ...uringRows(SEED),

  { group: 'pss', id: 'pss-tsuwsgi-p4', what: 'idle PSS, tsuwsgi processes=4', proxy: 'uwsgi', pssOnly: true,
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, processes: 4, threads: 1 } },
  { group: 'pss', id: 'pss-node-cluster-4', what: 'idle PSS, Node cluster 4 workers', proxy: 'http-ka', pssOnly: true,
    backend: { kind: 'node-cluster', transport: 'http', processes: 4 } },
];

/**
 * Every row with its defaults filled in (fresh objects, so callers may annotate them).
 * @returns {Row[]}
 */
function allRows() {
  return ROWS.map((r) => ({
    needs: [],
    request: GET,
    pssOnly: false,
    idleAfter: null,
    timeline: null,
    feature: null,
    fallback: null,
    listen: 0,
    addr: null,
    ...r,
    needsAll: ['nginx', 'wrk', ...(r.needs || [])],
    backend: { processes: PROCESSES, threads: THREADS, ...r.backend },
  }));
}

/**
 * `rows` with, after each tsuwsgi row, its twin run by the tsuwsgi built in `baselineDir`
 * (id `ROW@base`): the before of a before/after measured in one run.
 * @param {Row[]} rows
 * @param {string} baselineDir
 * @returns {Row[]}
 */
function withBaseline(rows, baselineDir) {
  const bin = require('path').join(baselineDir, 'bin', 'tsuwsgi');
  return rows.flatMap((r) =>
    r.backend.kind !== 'tsuwsgi' || r.feature || r.noBaseline
      ? [r]
      : [r, { ...r, id: `${r.id}@base`, what: `${r.what} [baseline build]`, baselineOf: r.id, backend: { ...r.backend, bin } }],
  );
}

/** The backends a --node-bin run repeats on the other Node line. */
const NODE_TWINNED = new Set(['tsuwsgi', 'node-cluster', 'node-floor']);

/**
 * `rows` with, after each tsuwsgi row, each Node cluster row and each Node floor row, its twin run by another node
 * binary (`node`, of major version `major`; id `ROW@node<major>`): the same build on two Node
 * lines in one run, and a Node cluster on the same line to compare with (a Node 24 tsuwsgi
 * against a Node 20 cluster measures the Node lines, not tsuwsgi). A baseline twin (--baseline)
 * stays on this node only.
 * @param {Row[]} rows
 * @param {string} node
 * @param {string} major
 * @returns {Row[]}
 */
function withNodeBin(rows, node, major) {
  return rows.flatMap((r) =>
    !NODE_TWINNED.has(r.backend.kind) || r.feature || r.baselineOf
      ? [r]
      : [r, { ...r, id: `${r.id}@node${major}`, what: `${r.what} [node ${major}]`, nodeTwinOf: r.id, backend: { ...r.backend, node } }],
  );
}

/**
 * The ini options of a row's `extra` that `has` says its build lacks (pure): a --baseline build
 * older than the option.
 * @param {Row} row
 * @param {(option: string) => boolean} has
 * @returns {string[]}
 */
function lackingOptions(row, has) {
  return Object.keys(row.backend.extra || {}).filter((option) => !has(option));
}

module.exports = { allRows, lackingOptions, withBaseline, withNodeBin, PROCESSES, THREADS, POST_BYTES, SEED, STEP_PLAN, IDLE_WAIT_MAX_S, IDLE_REST_S };
