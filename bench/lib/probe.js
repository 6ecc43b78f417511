'use strict';
// "Does the row answer through nginx?": one HTTP request like wrk's, and a bounded wait for a 200.
const http = require('http');
const procs = require('./procs');

/**
 * One request; resolves {status, body} or rejects (connection error, 3 s timeout).
 * @param {{ port: number, method?: string, path?: string, bodyBytes?: number }} what
 * @returns {Promise<{ status: number | undefined, body: Buffer }>}
 */
function request({ port, method = 'GET', path = '/', bodyBytes = 0 }) {
  return new Promise((resolve, reject) => {
    const body = bodyBytes > 0 ? Buffer.alloc(bodyBytes, 'x') : null;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {},
        timeout: 3000,
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 3s')));
    req.on('error', reject);
    req.end(body || undefined);
  });
}

/**
 * Poll until the row answers 200 through nginx (and, for the echo rows, returns the body; for
 * the static rows, the whole file rather than the app's answer),
 * at most `timeoutMs`. Fails early when the backend process has exited.
 * @param {import('./rows').Row} row
 * @param {import('./backends').Handle} handle
 */
async function waitReady(row, handle, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (handle.proc && handle.proc.exited) {
      throw new Error(`${row.id}: backend exited before answering.\n${handle.describe()}`);
    }
    try {
      const r = await request({ port: row.listen, ...row.request });
      const want = row.request.answerBytes || row.request.bodyBytes || 0;
      if (r.status === 200 && (want === 0 || r.body.length === want)) return;
      last = `HTTP ${r.status}, ${r.body.length} bytes: ${r.body.toString('utf8', 0, 120).replace(/\s+/g, ' ')}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${row.id}: no 200 through nginx (127.0.0.1:${row.listen}) within ${timeoutMs / 1000}s; last: ${last}\n${handle.describe()}`,
      );
    }
    await procs.sleep(100);
  }
}

module.exports = { request, waitReady };
