'use strict';
// Reads a tsuwsgi stats socket at a fixed pace while wrk runs, as a monitoring scraper would:
// connect, read the JSON document to EOF, parse it. Counts what worked and what did not.
const net = require('net');

const TIMEOUT_MS = 2000;

/**
 * @param {string} socketPath
 * @returns {Promise<unknown>}
 */
function readOnce(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    /** @type {Buffer[]} */
    const chunks = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no document within ${TIMEOUT_MS} ms`)));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * Scrape every `everyMs` until stop(); stop() resolves {ok, failed, errors} once the last read ended.
 * @param {string} socketPath
 * @param {number} everyMs
 */
function startScraping(socketPath, everyMs) {
  /** @type {{ ok: number, failed: number, errors: string[] }} */
  const result = { ok: 0, failed: 0, errors: [] };
  let running = Promise.resolve();
  const tick = () => {
    running = readOnce(socketPath).then(
      () => {
        result.ok++;
      },
      (err) => {
        result.failed++;
        if (result.errors.length < 3) result.errors.push(err instanceof Error ? err.message : String(err));
      },
    );
  };
  const timer = setInterval(tick, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      return result;
    },
  };
}

module.exports = { startScraping, readOnce };
