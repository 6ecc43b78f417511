'use strict';
// Row 9: ~2 ms of synchronous work per request, so only threads or processes give parallelism.
const { performance } = require('perf_hooks');

const WORK_MS = 2;

/** @type {import('http').RequestListener} */
module.exports = (_req, res) => {
  const end = performance.now() + WORK_MS;
  let spins = 0;
  while (performance.now() < end) spins++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12, 'x-spins': String(spins) });
  res.end('Hello World!');
};
