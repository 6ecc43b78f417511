'use strict';
// The floor rows: what a Node process costs on the uwsgi path when it does no JavaScript work per
// request. Workers share one listening socket (cluster with SCHED_NONE: the primary binds, each
// worker polls the same socket, as tsuwsgi's workers share the master's); each accepted handle
// is read with one read(2), answered with one fixed write(2) (the hello app's response) and
// closed: no parsing, no request or response objects, no net.Socket. So tsuwsgi can get no
// closer to uWSGI's C route than this row does; the difference between the two tsuwsgi and floor
// rows is the per-request JavaScript (design-notes "Where a request's CPU goes").
// TCP: TCP_DEFER_ACCEPT is set as tsuwsgi's master sets it (its built defer-accept module).
// Usage: node bench/backends/node-floor.js unix:PATH|tcp:PORT [WORKERS]
// The listening handle's onconnection is private to Node (net.Server sets it): a bench tool only.
const cluster = /** @type {import('cluster').Cluster} */ (/** @type {unknown} */ (require('cluster')));
const fs = require('fs');
const net = require('net');
const path = require('path');
const { runPrimary } = require('../lib/cluster-primary');

const [kind, where] = (process.argv[2] || '').split(/:(.*)/s);
const workers = Number(process.argv[3] || 2);
if ((kind !== 'unix' && kind !== 'tcp') || !where || !Number.isInteger(workers) || workers <= 0) {
  console.error('usage: node node-floor.js unix:PATH|tcp:PORT [WORKERS]');
  process.exit(2);
}

const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 12\r\nconnection: close\r\n\r\nHello World!',
);
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * @typedef {{ fd: number, readStart(): number, readStop(): number, close(): void, onread: (() => void) | null }} Accepted
 * @param {Accepted} handle
 */
function answer(handle) {
  let got = -1;
  try {
    got = fs.readSync(handle.fd, scratch, 0, scratch.length, null);
  } catch {
    // EAGAIN: the packet is not there yet (an early accept). Wait for it, then answer.
  }
  if (got > 0) {
    reply(handle);
    return;
  }
  if (got === 0) {
    handle.close();
    return;
  }
  handle.onread = () => {
    handle.readStop();
    reply(handle);
  };
  handle.readStart();
}

/** @param {Accepted} handle */
function reply(handle) {
  try {
    fs.writeSync(handle.fd, RESPONSE);
  } catch {
    // The peer left: nothing to answer.
  }
  handle.close();
}

if (cluster.isPrimary) {
  // Workers share the primary's socket instead of the primary accepting (round-robin).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  runPrimary(cluster, workers);
} else {
  const server = net.createServer(() => undefined);
  const listening = () => {
    const handle = /** @type {{ fd: number, onconnection: (err: number, h?: Accepted) => void }} */ (
      /** @type {unknown} */ (/** @type {{ _handle: unknown }} */ (/** @type {unknown} */ (server))._handle)
    );
    handle.onconnection = (err, accepted) => {
      if (err === 0 && accepted !== undefined) answer(accepted);
    };
    if (kind === 'unix') {
      fs.chmodSync(where, 0o666);
    } else if (cluster.worker?.id === 1) {
      const { deferAccept } = require(path.join(__dirname, '..', '..', 'dist', 'master', 'defer-accept.js'));
      const result = deferAccept(handle.fd, 4);
      if (!result.ok) console.error(`node-floor: TCP_DEFER_ACCEPT not set: ${result.why}`);
    }
  };
  if (kind === 'unix') server.listen(where, listening);
  else server.listen(Number(where), '127.0.0.1', listening);
  process.on('SIGTERM', () => process.exit(0));
}
