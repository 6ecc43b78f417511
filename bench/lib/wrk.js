'use strict';
// Runs wrk (4.x, `--latency`) and turns its text report into numbers.
const fs = require('fs');
const path = require('path');
const procs = require('./procs');

/** @type {Record<string, number>} */
const TIME_UNITS_MS = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 };
/** @type {Record<string, number>} */
const SIZE_UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * "638.00us" / "1.20ms" / "2.00s" / "1.00m" → milliseconds; null when not a wrk time.
 * @param {unknown} text
 */
function parseTimeMs(text) {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(String(text).trim());
  return m ? Number(m[1]) * TIME_UNITS_MS[m[2]] : null;
}

/**
 * "12.34MB" → bytes; null when not a wrk size.
 * @param {unknown} text
 */
function parseBytes(text) {
  const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB)$/.exec(String(text).trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]] : null;
}

/**
 * Parse wrk's report. Throws when the report has no "Requests/sec:" line (wrk failed); fields
 * wrk leaves out (no latency distribution, no socket errors line) come back as null / 0.
 * @returns {{requests:number|null, durationS:number|null, rps:number, bytes:number|null,
 *   transferPerSec:number|null, latency:{avg:number|null, stdev:number|null, max:number|null,
 *   p50:number|null, p75:number|null, p90:number|null, p99:number|null},
 *   socketErrors:{connect:number, read:number, write:number, timeout:number},
 *   non2xx:number, errors:number}}
 * @param {unknown} text
 */
function parseWrk(text) {
  const out = String(text);
  const rpsMatch = /^\s*Requests\/sec:\s*([\d.]+)\s*$/m.exec(out);
  if (!rpsMatch) {
    const first = out.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`wrk report has no Requests/sec line: ${first || '(empty output)'}`);
  }
  /** @type {Record<'avg' | 'stdev' | 'max' | 'p50' | 'p75' | 'p90' | 'p99', number | null>} */
  const latency = { avg: null, stdev: null, max: null, p50: null, p75: null, p90: null, p99: null };
  const stats = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%\s*$/m.exec(out);
  if (stats) {
    latency.avg = parseTimeMs(stats[1]);
    latency.stdev = parseTimeMs(stats[2]);
    latency.max = parseTimeMs(stats[3]);
  }
  const dist = /Latency Distribution\s*\n((?:\s*\d+(?:\.\d+)?%\s+\S+\s*\n?)+)/.exec(out);
  if (dist) {
    for (const line of dist[1].split('\n')) {
      const m = /^\s*(\d+(?:\.\d+)?)%\s+(\S+)\s*$/.exec(line);
      if (!m) continue;
      const key = `p${Number(m[1])}`;
      if (key === 'p50' || key === 'p75' || key === 'p90' || key === 'p99') latency[key] = parseTimeMs(m[2]);
    }
  }
  const total = /^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read\s*$/m.exec(out);
  const socketErrors = { connect: 0, read: 0, write: 0, timeout: 0 };
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (se) {
    socketErrors.connect = Number(se[1]);
    socketErrors.read = Number(se[2]);
    socketErrors.write = Number(se[3]);
    socketErrors.timeout = Number(se[4]);
  }
  const n2 = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const non2xx = n2 ? Number(n2[1]) : 0;
  const tr = /^\s*Transfer\/sec:\s*(\S+)\s*$/m.exec(out);
  const durMs = total ? parseTimeMs(total[2]) : null;
  return {
    requests: total ? Number(total[1]) : null,
    durationS: durMs === null ? null : durMs / 1000,
    rps: Number(rpsMatch[1]),
    bytes: total ? parseBytes(total[3]) : null,
    transferPerSec: tr ? parseBytes(tr[1]) : null,
    latency,
    socketErrors,
    non2xx,
    errors: socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout + non2xx,
  };
}

/**
 * @typedef {object} WrkRun
 * @property {string} url
 * @property {number} durationS
 * @property {number} connections
 * @property {number} threads
 * @property {string | null} [script]
 * @property {number} [timeoutS]
 */

/**
 * The wrk command line for one run (pure, so the flags are testable).
 * @param {WrkRun} run
 */
function wrkArgs({ url, durationS, connections, threads, script, timeoutS = 5 }) {
  const args = [
    '--threads', String(threads),
    '--connections', String(connections),
    '--duration', `${durationS}s`,
    '--timeout', `${timeoutS}s`,
    '--latency',
  ];
  if (script) args.push('--script', script);
  args.push(url);
  return args;
}

/**
 * The lua script for the POST rows: method POST, a fixed body of `size` bytes.
 * @param {number} size
 */
function postScript(size) {
  return [
    '-- written by bench/lib/wrk.js: every request is a POST with the same body',
    'wrk.method = "POST"',
    `wrk.body = string.rep("x", ${size})`,
    'wrk.headers["Content-Type"] = "application/octet-stream"',
    '',
  ].join('\n');
}

/**
 * @param {string} dir
 * @param {number} size
 */
function writePostScript(dir, size) {
  const file = path.join(dir, `post-${size}.lua`);
  fs.writeFileSync(file, postScript(size));
  return file;
}

/**
 * Run wrk to completion (bounded: duration + 20 s, then it is killed) and parse its report.
 * @param {string} bin
 * @param {WrkRun} opts
 * @returns {Promise<ReturnType<typeof parseWrk> & {raw: string}>}
 */
async function runWrk(bin, opts) {
  const p = await procs.spawnGroup('wrk', bin, wrkArgs(opts), { stopSignal: 'SIGINT' });
  const limitMs = (opts.durationS + 20) * 1000;
  const timedOut = await Promise.race([
    p.exitPromise.then(() => false),
    procs.sleep(limitMs).then(() => true),
  ]);
  await procs.stop(p, { graceMs: 1000 });
  const raw = p.output();
  if (timedOut) throw new Error(`wrk did not finish within ${limitMs / 1000}s; output: ${raw.slice(-300)}`);
  if (p.code !== 0) throw new Error(`wrk exited with ${p.code ?? p.signal}: ${raw.trim().slice(-300)}`);
  return { ...parseWrk(raw), raw };
}

module.exports = {
  parseWrk, parseTimeMs, parseBytes, wrkArgs, postScript, writePostScript, runWrk,
};
