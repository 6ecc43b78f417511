'use strict';
// Row 8: returns the request body (64 KiB from wrk) as the response body.
/** @type {import('http').RequestListener} */
module.exports = (req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
};
