'use strict';
// Latency of requests that compute for milliseconds (a server-side render) under open-loop
// Poisson arrivals: the measurement behind accept turns' defaults (docs/design-notes.md, "Accept
// turns", sessions 31 and 34). tsuwsgi 2 x 1 on http-socket serves a handler that spins
// --work-ms per request; each configuration in turn, --rounds times, at each rate; prints p50,
// p90, p99 and how the requests split between the workers. Needs a build first (npm run build).
// Usage: node bench/poisson-latency.js [--rates 25,40] [--seconds 15] [--rounds 2] [--work-ms 20]
//        [--configs 'default;accepting-workers=0'] [--node-bin PATH]
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

/** @param {string} name @param {string} fallback */
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? /** @type {string} */ (process.argv[i + 1]) : fallback;
}
const rates = arg('rates', '25,40').split(',').map(Number);
const seconds = Number(arg('seconds', '15'));
const rounds = Number(arg('rounds', '2'));
const workMs = Number(arg('work-ms', '20'));
const nodeBin = arg('node-bin', process.execPath);
/** Each config: "default" or "key=value,key=value" ini settings added to the 2 x 1 base. */
const configs = arg('configs', 'default;accepting-workers=0').split(';');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-poisson-'));
const app = path.join(dir, 'spin.js');
fs.writeFileSync(app, `'use strict';
const { performance } = require('perf_hooks');
module.exports = (_req, res) => {
  const end = performance.now() + ${workMs};
  while (performance.now() < end);
  res.end(String(process.pid));
};
`);

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {number} port @returns {Promise<string>} the body, or '' on an error */
function get(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : ''));
    });
    req.on('error', () => resolve(''));
    req.setTimeout(10_000, () => req.destroy());
  });
}

/** @param {number} port @param {number} rate */
async function measure(port, rate) {
  /** @type {number[]} */
  const latencies = [];
  /** @type {Map<string, number>} */
  const byPid = new Map();
  let failed = 0;
  /** @type {Promise<void>[]} */
  const inFlight = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    inFlight.push(get(port).then((body) => {
      if (body === '') return void failed++;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      byPid.set(body, (byPid.get(body) ?? 0) + 1);
    }));
    await sleep((-Math.log(1 - Math.random()) * 1000) / rate);
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  /** @param {number} p */
  const q = (p) => (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN).toFixed(1);
  return { n: latencies.length, failed, p50: q(0.5), p90: q(0.9), p99: q(0.99), split: [...byPid.values()].join('/') };
}

/** @param {string} config @param {number} port */
async function start(config, port) {
  const ini = [`[uwsgi]`, `http-socket = 127.0.0.1:${port}`, `wsgi-file = ${app}`, 'processes = 2', 'threads = 1', 'disable-logging = true'];
  if (config !== 'default') ini.push(...config.split(',').map((kv) => kv.replace('=', ' = ')));
  const file = path.join(dir, `${port}.ini`);
  fs.writeFileSync(file, `${ini.join('\n')}\n`);
  const child = spawn(nodeBin, [path.join(__dirname, '..', 'bin', 'tsuwsgi'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
  /** @type {Error | undefined} */
  let failed;
  child.once('error', (err) => (failed = err)); // a --node-bin that cannot run
  const deadline = Date.now() + 15_000;
  while ((await get(port)) === '') {
    if (failed !== undefined || child.exitCode !== null || Date.now() > deadline) {
      // A server that never answered is stopped here: main's finally only stops started ones.
      if (child.exitCode === null && failed === undefined) await stop(child);
      throw new Error(`tsuwsgi (${config}) did not answer on ${port}${failed ? `: ${failed.message}` : ''}`);
    }
    await sleep(100);
  }
  for (let i = 0; i < 20; i++) await get(port); // past the cold start's compiles
  await sleep(4000); // and past any hold a cold start's slow requests set off
  return child;
}

/** @param {import('node:child_process').ChildProcess} child */
function stop(child) {
  // One that died while measured has had its exit already: waiting for another would hang.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => resolve(clearTimeout(timer)));
    child.kill('SIGTERM');
  });
}

async function main() {
  console.log(`2 x 1 on http-socket, ${workMs} ms of CPU a request, Poisson arrivals, ${seconds} s a rate, ${rounds} round(s); node ${nodeBin}`);
  console.log('round  config                     rate/s      n  failed   p50 ms   p90 ms   p99 ms  split');
  let port = 19_000 + Math.floor(Math.random() * 500);
  for (let round = 1; round <= rounds; round++) {
    for (const config of configs) {
      const child = await start(config, ++port);
      try {
        for (const rate of rates) {
          const r = await measure(port, rate);
          console.log(`${String(round).padStart(5)}  ${config.padEnd(25)}  ${String(rate).padStart(6)}  ${String(r.n).padStart(5)}  ${String(r.failed).padStart(6)}  ${r.p50.padStart(7)}  ${r.p90.padStart(7)}  ${r.p99.padStart(7)}  ${r.split}`);
        }
      } finally {
        await stop(child);
      }
    }
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
