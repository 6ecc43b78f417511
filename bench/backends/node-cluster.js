'use strict';
// Row 4 and the PSS row: what a Node user picks instead of tsuwsgi. A plain `http` server under
// `cluster` with Node's default scheduling (round-robin on Linux: the primary accepts and hands
// each connection to a worker over IPC).
// Usage: node bench/backends/node-cluster.js PORT [WORKERS]   (listens on 127.0.0.1:PORT)
// @types/node declares the module as `export default cluster`; at run time it is the object.
const cluster = /** @type {import('cluster').Cluster} */ (/** @type {unknown} */ (require('cluster')));
const http = require('http');
const { runPrimary } = require('../lib/cluster-primary');

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] || 2);
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(workers) || workers <= 0) {
  console.error('usage: node node-cluster.js PORT [WORKERS]');
  process.exit(2);
}

if (cluster.isPrimary) {
  runPrimary(cluster, workers);
} else {
  http
    .createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12 });
      res.end('Hello World!');
    })
    .listen(port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}
