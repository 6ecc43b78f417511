'use strict';
// One group of paired rounds (see paired.js): start every row's backend, wait for each to answer
// through nginx, warm each up, then N rounds of wrk on each in turn; stop them all.
const fs = require('fs');
const backends = require('./backends');
const cpu = require('./cpu');
const probe = require('./probe');
const { runWrk } = require('./wrk');
const { roundOrder } = require('./paired');

const READY_TIMEOUT_MS = 30000;

/**
 * @typedef {{ id: string, rps: number | null, errors: number, cpuUsPerReq: number | null, other: number | null, detail?: string }} RoundFigure
 */

/**
 * wrk's error counts, the backend's state and log tail, and nginx's error log tail.
 * @param {Awaited<ReturnType<typeof runWrk>>} r
 * @param {import('./backends').Handle} handle
 * @param {import('./measure').MeasureContext} ctx
 */
function failedRoundDetail(r, handle, ctx) {
  const se = r.socketErrors;
  let nginxLog = '';
  try {
    if (ctx.nginx.errorLog) nginxLog = fs.readFileSync(ctx.nginx.errorLog, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    // no error log yet: nginx logged nothing
  }
  return [`socket errors: connect ${se.connect}, read ${se.read}, write ${se.write}, timeout ${se.timeout}; non-2xx/3xx ${r.non2xx}`,
    handle.describe(), nginxLog && `nginx error log (last lines):\n${nginxLog}`].filter(Boolean).join('\n');
}

/**
 * @param {import('./rows').Row[]} rows  the group, in its order
 * @param {import('./measure').MeasureContext} ctx
 * @param {import('./args').Options} opts
 * @param {(round: number, figures: RoundFigure[]) => void} onRound
 * @param {() => boolean} stopping  true once the bench is being interrupted
 * @returns {Promise<Record<string, number | null>[]>}  per round: row id → req/s (null: errors)
 */
async function runPairedGroup(rows, ctx, opts, onRound, stopping) {
  /** @type {Map<string, import('./backends').Handle>} */
  const handles = new Map();
  const url = (/** @type {import('./rows').Row} */ row) => `http://127.0.0.1:${row.listen}${row.request.path}`;
  const wrkOpts = (/** @type {import('./rows').Row} */ row, /** @type {number} */ durationS) => ({
    url: url(row),
    durationS,
    connections: opts.connections,
    threads: opts.threads,
    script: row.request.method === 'POST' ? ctx.postScript : null,
  });
  try {
    for (const row of rows) {
      const handle = await backends.start(row, ctx);
      handles.set(row.id, handle);
      await probe.waitReady(row, handle, READY_TIMEOUT_MS);
    }
    for (const row of rows) if (opts.warmup > 0) await runWrk(ctx.bins.wrk, wrkOpts(row, opts.warmup));
    const byId = new Map(rows.map((r) => [r.id, r]));
    /** @type {Record<string, number | null>[]} */
    const rounds = [];
    for (let round = 0; round < opts.pairedRounds && !stopping(); round++) {
      /** @type {Record<string, number | null>} */
      const rps = {};
      /** @type {RoundFigure[]} */
      const figures = [];
      for (const id of roundOrder(rows.map((r) => r.id), round)) {
        const row = /** @type {import('./rows').Row} */ (byId.get(id));
        const handle = /** @type {import('./backends').Handle} */ (handles.get(id));
        const others = cpu.startOtherCpu();
        const treeCpu = cpu.startTreeCpu(handle.pid);
        const r = await runWrk(ctx.bins.wrk, wrkOpts(row, opts.roundSeconds));
        const cpuUsPerReq = treeCpu.stop(r.requests);
        const other = others.stop();
        if (handle.proc && handle.proc.exited) throw new Error(`${id}: backend exited during paired round ${round + 1}.\n${handle.describe()}`);
        // A round with failed requests says nothing about speed: it gives no ratio. What the
        // backend and nginx logged is kept, since the temp dir goes at the end of the run.
        rps[id] = r.errors > 0 ? null : r.rps;
        figures.push({ id, rps: r.rps, errors: r.errors, cpuUsPerReq, other: other ? other.share : null,
          ...(r.errors > 0 ? { detail: failedRoundDetail(r, handle, ctx) } : {}) });
      }
      rounds.push(rps);
      onRound(round, figures);
    }
    return rounds;
  } finally {
    await Promise.all([...handles.values()].map((h) => h.stop()));
  }
}

module.exports = { runPairedGroup };
