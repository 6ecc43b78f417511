'use strict';
// Row 7: tsuwsgi's request handling under the process model it does NOT use. The master
// accepts every connection and hands it to the next worker over IPC (what Node's cluster
// does by default); the workers serve it with tsuwsgi's own connection code from dist/.
// Kept out of tsuwsgi itself: it was slower in every case measured (docs/design-notes.md,
// "Accepting"), so it is not an option there.
// Usage: node tsuwsgi-master-rr.js SOCKET_PATH PROCESSES APP_FILE LOG_FILE|-
//
// It runs dist/ (no build step of its own) but takes its types from src/ (JSDoc, checked by
// `npm run typecheck`): when ServeContext or a function used here changes, the type check fails
// instead of this backend measuring a context the workers no longer build.
const net = require('net');
const fs = require('fs');
const path = require('path');
const { fork } = require('child_process');

const DIST = path.resolve(__dirname, '..', '..', 'dist');
const [socketPath, processesText, appFile, logFile] = process.argv.slice(2);

if (process.env.RR_WORKER !== '1') {
  try {
    fs.unlinkSync(socketPath);
  } catch {}
  /** @type {import('child_process').ChildProcess[]} */
  const workers = [];
  /** @type {import('child_process').ChildProcess[]} */
  const ready = [];
  let next = 0;
  for (let i = 0; i < Number(processesText); i++) {
    const child = fork(__filename, process.argv.slice(2), { env: { ...process.env, RR_WORKER: '1', WORKER_ID: String(i + 1) } });
    child.on('message', (m) => m === 'ready' && ready.push(child));
    workers.push(child);
  }
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (ready.length === 0) return socket.destroy();
    ready[next++ % ready.length].send('conn', socket);
  });
  server.listen(socketPath, () => fs.chmodSync(socketPath, 0o666));
  const stop = () => {
    server.close();
    for (const w of workers) w.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  /** @type {typeof import('../../src/app/load')} */
  const { loadApp } = require(path.join(DIST, 'app', 'load.js'));
  /** @type {typeof import('../../src/server/uwsgi-connection')} */
  const { handleUwsgiConnection } = require(path.join(DIST, 'server', 'uwsgi-connection.js'));
  /** @type {typeof import('../../src/server/accept-gate')} */
  const { AcceptGate } = require(path.join(DIST, 'server', 'accept-gate.js'));
  /** @type {typeof import('../../src/shared/logger')} */
  const { createLogger } = require(path.join(DIST, 'shared', 'logger.js'));
  const { NO_REQUEST_HOOKS } = require(path.join(DIST, 'server', 'context.js'));
  // A baseline build from before OpenConnections (connections.ts) kept a Set.
  const { OpenConnections = Set } = require(path.join(DIST, 'server', 'connections.js'));
  const logging = logFile !== '-';
  const logs = createLogger({ role: 'worker', logto: logging ? logFile : undefined, bindings: { worker: Number(process.env.WORKER_ID) } });
  /** @param {import('../../src/app/types').LoadedApp} app */
  const serve = (app) => {
    // What a worker builds (src/worker/app-host.ts) for the bench's ini (bench/lib/backends.js
    // BLOG_SETTINGS; socket-timeout, http-timeout and http-keepalive at their defaults).
    /** @type {import('../../src/server/context').ServeContext} */
    const ctx = {
      listener: app.listener,
      appServer: app.server,
      bufferSize: 65535,
      limitPost: 104857600,
      postBuffering: undefined,
      socketTimeoutMs: 4000,
      requestTimeoutMs: 60_000,
      httpKeepalive: 75,
      log: logs.logger,
      logRequests: logging,
      infoLine: logs.infoLine,
      logOnly: undefined,
      formatLine: undefined,
      writeText: logs.writeText,
      threadField: ',"thread":0',
      requests: NO_REQUEST_HOOKS,
      stats: undefined,
      workerId: Number(process.env.WORKER_ID),
      threadIndex: 0,
      connections: new OpenConnections(),
      upgraded: new Set(),
      upgradeMercyMs: 0,
      statics: undefined,
    };
    const gate = new AcceptGate(); // no listener of its own: holding it changes nothing
    process.on('message', (m, socket) => {
      if (m === 'conn' && socket instanceof net.Socket) handleUwsgiConnection(socket, ctx, gate);
    });
    process.send?.('ready');
  };
  loadApp({ appFile, appPackage: undefined, callable: undefined, baseDir: path.dirname(appFile) }).then(serve, (err) => {
    console.error(`tsuwsgi-master-rr: the app did not load: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
