'use strict';
// The primary of the bench's Node cluster backends (backends/node-cluster.js, node-floor.js):
// forks the workers, stops them all on SIGTERM or SIGINT, and stops the whole backend when a
// worker dies (a row must not go on measuring with fewer workers than it says).

/**
 * @param {import('cluster').Cluster} cluster
 * @param {number} workers
 */
function runPrimary(cluster, workers) {
  let stopping = false;
  const stop = (/** @type {number} */ code) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(code), 200).unref();
    cluster.disconnect(() => process.exit(code));
  };
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} died (${signal || code}); stopping`);
      stop(1);
    }
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
}

module.exports = { runPrimary };
