'use strict';
// The memory groups (issue 14): settings that trade a worker's memory against CPU per request,
// each measured as a row of its own so that every figure has its baseline in the same run.

/** @typedef {import('./rows').RowDef} RowDef */

/**
 * Group `young`: the young generation's size (max-semi-space-size; 0 is Node's own default,
 * 16 MB and more): tsuwsgi + hello.js, unix, logging on, 2 x 1.
 * @returns {RowDef[]}
 */
function youngRows() {
  return [0, 1, 2, 4, 8].map((mb) => ({
    group: 'young', id: `young-${mb === 0 ? 'node' : mb}`, what: `tsuwsgi, unix, logging on, max-semi-space-size = ${mb === 0 ? "0 (Node's default)" : mb}`,
    proxy: 'uwsgi', noBaseline: true,
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, extra: { 'max-semi-space-size': String(mb) } },
  }));
}

/**
 * Group `v8`: V8's background threads and heap growth at the seed's ini (4 x 2, unix, logging
 * on), peak PSS under the load and idle PSS after it. Every row names each flag it measures in
 * one polarity or the other, so that it runs the same on a build whose defaults differ (a flag
 * the user names replaces tsuwsgi's own: src/shared/node-args.ts).
 * @param {{ processes: number, threads: number }} seed
 * @returns {RowDef[]}
 */
function v8Rows(seed) {
  /** @type {[string, string, string][]} */
  const variants = [
    ['v8-node', "Node's own (concurrent compiles and GC)", '--concurrent-recompilation --no-single-threaded-gc'],
    ['v8-ncr', 'optimizing compiles on the main thread', '--no-concurrent-recompilation --no-single-threaded-gc'],
    ['v8-stgc', 'GC on the main thread', '--concurrent-recompilation --single-threaded-gc'],
    ['v8-ncr-stgc', 'both on the main thread', '--no-concurrent-recompilation --single-threaded-gc'],
    ['v8-st', 'no background tasks at all', '--single-threaded'],
    ['v8-ncr-hgp50', 'compiles on the main thread, old generation grows 1.5x', '--no-concurrent-recompilation --no-single-threaded-gc --heap-growing-percent=50'],
  ];
  return variants.map(([id, what, args]) => ({
    group: 'v8', id, what: `seed 4x2, unix, logging on: ${what} (${args})`, proxy: 'uwsgi', noBaseline: true,
    idleAfter: { workers: null },
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, ...seed, extra: { 'node-args': args } },
  }));
}

/**
 * Group `uring`: libuv's io_uring at the seed's ini (4 x 2, unix, logging on). Node 24's libuv
 * uses it by default (epoll_ctl batched through io_uring_enter); Node 20's leaves it off unless
 * UV_USE_IO_URING=1. Each row sets the variable for the workers (tsuwsgi's `env` option), so it
 * measures the same whatever tsuwsgi's own default; `uring-default` sets nothing.
 * @param {{ processes: number, threads: number }} seed
 * @returns {RowDef[]}
 */
function uringRows(seed) {
  /** @type {[string, string, Record<string, string>][]} */
  const variants = [
    ['uring-default', "tsuwsgi's default", {}],
    ['uring-off', 'UV_USE_IO_URING=0', { env: 'UV_USE_IO_URING=0' }],
    ['uring-on', 'UV_USE_IO_URING=1', { env: 'UV_USE_IO_URING=1' }],
  ];
  return variants.map(([id, what, extra]) => ({
    group: 'uring', id, what: `seed 4x2, unix, logging on: ${what}`, proxy: 'uwsgi', noBaseline: true,
    backend: { kind: 'tsuwsgi', app: 'hello', transport: 'unix', logging: true, ...seed, ...(Object.keys(extra).length > 0 ? { extra } : {}) },
  }));
}

module.exports = { youngRows, v8Rows, uringRows };
