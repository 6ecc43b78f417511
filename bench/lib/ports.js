'use strict';
// Free 127.0.0.1 TCP ports, asked of the kernel (bind to port 0) all at once so they differ.
const net = require('net');

/**
 * @param {number} n
 * @returns {Promise<number[]>}
 */
async function freePorts(n) {
  /** @type {net.Server[]} */
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      await /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', resolve);
      }));
    }
    return servers.map((s) => /** @type {net.AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}

module.exports = { freePorts };
