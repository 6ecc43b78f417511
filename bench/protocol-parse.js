'use strict';
// Times parsePacket on a packet captured from nginx 1.22 (Debian uwsgi_params, a browser's
// headers, two Cookie headers). Needs a build first: npx tsc -p tsconfig.json
// Usage: node bench/protocol-parse.js [iterations]
const fs = require('fs');
const path = require('path');
/** @type {typeof import('../src/protocol')} */
const { parsePacket, bodyLength } = require(path.join(__dirname, '..', 'dist', 'protocol', 'index.js'));

const packet = fs.readFileSync(path.join(__dirname, '../test/fixtures/packets/valid/nginx-get.bin'));
const limits = { bufferSize: 4096 };
const iterations = Number(process.argv[2]) || 1_000_000;

/** @param {number} n */
function run(n) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = parsePacket(packet, limits);
    if (r.kind !== 'request') throw new Error(`fixture did not parse: ${r.kind}`);
    // Touch the result so the work cannot be optimised away, as a server would.
    const length = bodyLength(r.vars, 0);
    if (typeof length !== 'number') throw new Error(`fixture has a bad CONTENT_LENGTH: ${length.kind}`);
    sink += (r.vars.REQUEST_URI ?? '').length + length;
  }
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (sink === 0) throw new Error('unexpected parse result');
  return ns;
}

const check = parsePacket(packet, limits);
if (check.kind !== 'request') throw new Error(`fixture did not parse: ${JSON.stringify(check)}`);
run(Math.min(iterations, 50_000)); // warm-up: let V8 optimise before timing
const ns = run(iterations);
console.log(`parsePacket: ${packet.length}-byte nginx packet, ${check.varCount} vars, ` +
  `${iterations} iterations: ${ns.toFixed(0)} ns/op (${(1e9 / ns / 1e6).toFixed(2)} M packets/s)`);
