'use strict';
// Times the URL a fetch app's Request is built from (src/app/request-url.ts), once per request
// for fetch apps, against the former `${scheme}://${Host}${url}`. Needs a build first:
// npx tsc -p tsconfig.json
// Usage: node bench/fetch-url.js [iterations]
const { IncomingMessage } = require('node:http');
const { Socket } = require('node:net');
const path = require('node:path');
// Run from dist/, typed from src/ (a require of ../dist would take the types of whatever was built last).
/** @type {typeof import('../src/app/request-url')} */
const { requestUrl } = require(path.join(__dirname, '..', 'dist', 'app', 'request-url.js'));

const iterations = Number(process.argv[2]) || 5_000_000;

/** @param {IncomingMessage} req */
function before(req) {
  const encrypted = /** @type {{ encrypted?: boolean }} */ (req.socket).encrypted === true;
  const host = req.headers.host ?? 'localhost';
  return `${encrypted ? 'https' : 'http'}://${host}${req.url ?? '/'}`;
}

/**
 * @param {string} url
 * @param {string | undefined} host
 */
function request(url, host) {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.headers = host === undefined ? {} : { host, 'user-agent': 'wrk' };
  return req;
}

/** @type {[string, IncomingMessage][]} */
const cases = [
  ['valid Host, /api/items?page=2&sort=name', request('/api/items?page=2&sort=name', 'shop.example.org')],
  ['valid Host, a 200-char path', request(`/${'segment/'.repeat(25)}`, 'shop.example.org')],
  ['Host "x\\admin?" (replaced)', request('/public', 'x\\admin?')],
  ['path with a backslash', request('/a\\b/c', 'shop.example.org')],
];

/**
 * @template T
 * @param {(req: T) => string | undefined} fn
 * @param {T} req
 * @param {number} n
 */
function run(fn, req, n) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += (fn(req) ?? '').length;
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (sink === 0) throw new Error('no URL built');
  return ns;
}

for (const [name, req] of cases) {
  for (const fn of [before, requestUrl]) run(fn, req, Math.min(iterations, 200_000)); // warm-up
  const b = run(before, req, iterations);
  const a = run(requestUrl, req, iterations);
  console.log(`${name.padEnd(44)} before ${b.toFixed(1).padStart(6)} ns  after ${a.toFixed(1).padStart(6)} ns  (${requestUrl(req)})`);
}

// For scale: what the adapter does with the URL next, once per request.
{
  const url = requestUrl(cases[0][1]);
  if (url === undefined) throw new Error('no URL for the first case');
  const headers = new Headers([['host', 'shop.example.org'], ['user-agent', 'wrk']]);
  const n = Math.max(1, Math.floor(iterations / 20));
  const make = () => new Request(url, { method: 'GET', headers });
  run(() => make().url, null, Math.min(n, 20_000));
  console.log(`${'for scale: new Request(url, { method, headers })'.padEnd(44)} ${run(() => make().url, null, n).toFixed(0)} ns`);
}
