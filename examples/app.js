'use strict';
// The blog's Flask app (my_app/views.py), ported to a plain Node request listener.
// Served by tsuwsgi as `wsgi-file = examples/app.js` + `callable = app` (see ../uwsgi.ini).

/** The "small processing function" behind POST /process. */
function processPayload(payload) {
  const result = {};
  if (typeof payload.text === 'string') {
    const words = payload.text.split(/\s+/).filter(Boolean);
    result.words = words.length;
    result.upper = payload.text.toUpperCase();
  }
  if (Array.isArray(payload.numbers)) {
    const nums = payload.numbers.map(Number).filter(Number.isFinite);
    const sum = nums.reduce((a, b) => a + b, 0);
    result.count = nums.length;
    result.sum = sum;
    result.mean = nums.length ? sum / nums.length : null;
  }
  return { ok: true, received: payload, result };
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res, status, value) {
  send(res, status, 'application/json', JSON.stringify(value));
}

function index(req, res) {
  const appName = process.env.APP_NAME;
  const text = appName
    ? `Hello from ${appName} running in a Docker container behind Nginx!`
    : 'Hello from tsuwsgi';
  send(res, 200, 'text/plain; charset=utf-8', text);
}

function processRoute(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let payload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      // The client learns what was wrong, never a stack trace.
      return sendJson(res, 400, { msg: `invalid JSON: ${err.message}` });
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return sendJson(res, 400, { msg: 'expected a JSON object' });
    }
    sendJson(res, 200, processPayload(payload));
  });
}

function app(req, res) {
  const path = req.url.split('?')[0];
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return index(req, res);
  if (path === '/process' && req.method === 'POST') return processRoute(req, res);
  if (path === '/process') {
    res.setHeader('Allow', 'POST');
    return sendJson(res, 405, { msg: 'use POST' });
  }
  sendJson(res, 404, { msg: `no route for ${req.method} ${path}` });
}

module.exports = { app, processPayload };
