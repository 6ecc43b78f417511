'use strict';
// One row, one pass: start its backend, wait for a 200 through nginx, warm up, measure, stop.
const backends = require('./backends');
const cpu = require('./cpu');
const probe = require('./probe');
const pss = require('./pss');
const procs = require('./procs');
const { runWrk } = require('./wrk');
const { median } = require('./stats');
const scrape = require('./scrape');
const { runStepLoad } = require('./step-load');
const { workerPids } = require('./workers');
const { IDLE_WAIT_MAX_S, IDLE_REST_S } = require('./rows');

const READY_TIMEOUT_MS = 30000;
const PSS_EVERY_MS = 200;
const PSS_MIN_WARMUP_S = 2;
const SCRAPE_EVERY_MS = 1000;

/** @typedef {import('./rows').Row} Row */
/** @typedef {import('./args').Options} Options */
/**
 * @typedef {import('./backends').StartContext & { postScript: string, bins: { wrk: string } }} MeasureContext
 * @typedef {{ idlePssKb: number | null, pssProcesses: number }} IdleResult
 * @typedef {IdleResult & { idleWaitS: number, idleWorkers: number }} IdleAfterResult  after a load (group 13)
 * @typedef {Awaited<ReturnType<typeof runStepLoad>>} StepResult
 * @typedef {object} LoadResult
 * @property {number} rps
 * @property {number | null} p50
 * @property {number | null} p99
 * @property {number} errors
 * @property {number | null} requests
 * @property {{ connect: number, read: number, write: number, timeout: number }} socketErrors
 * @property {number} non2xx
 * @property {number | null} cpuUsPerReq
 * @property {number | null} peakPssKb
 * @property {number} pssProcesses
 * @property {ReturnType<typeof cpu.otherCpu>} other
 * @property {Awaited<ReturnType<ReturnType<typeof scrape.startScraping>['stop']>> | null} scrapes
 * @typedef {IdleResult | LoadResult | (LoadResult & IdleAfterResult) | StepPass} PassResult
 * @typedef {object} StepPass  a group-step row's one pass
 * @property {StepResult['rows']} timeline
 * @property {StepResult['step']} step
 * @property {StepResult['decisions']} decisions  the cheaper's, from the row's log
 * @property {number | null} rps  mean req/s over the load phase
 * @property {number} errors
 * @property {number} requests
 * @property {number | null} cpuUsPerReq
 * @property {number | null} peakPssKb
 * @property {number | null} idlePssKb  at the end of the rest
 * @property {number} pssProcesses
 */

/**
 * Five PSS samples of an idle tree, 200 ms apart: the median.
 * @param {number} pid
 * @returns {Promise<IdleResult>}
 */
async function idlePss(pid) {
  const samples = [];
  let processes = 0;
  for (let i = 0; i < 5; i++) {
    const { kb, count } = pss.treePss(pid);
    if (count > 0) samples.push(kb);
    processes = Math.max(processes, count);
    await procs.sleep(PSS_EVERY_MS);
  }
  return { idlePssKb: median(samples), pssProcesses: processes };
}

/**
 * After the load: rest IDLE_REST_S, and for a cheaper row until its worker count is down to
 * `idleAfter.workers` (for IDLE_WAIT_MAX_S more at most); then the idle PSS as the pss group takes it.
 * @param {Row} row
 * @param {number} pid
 * @returns {Promise<IdleAfterResult>}
 */
async function idleAfterLoad(row, pid) {
  const wanted = row.idleAfter ? row.idleAfter.workers : null;
  const t0 = Date.now();
  await procs.sleep(IDLE_REST_S * 1000);
  const count = () => workerPids(pid, row.backend.kind).length;
  while (wanted !== null && count() > wanted && Date.now() - t0 < (IDLE_REST_S + IDLE_WAIT_MAX_S) * 1000) await procs.sleep(250);
  const idleWaitS = (Date.now() - t0) / 1000;
  return { ...(await idlePss(pid)), idleWaitS, idleWorkers: count() };
}

/**
 * A group-step row: its timeline, with the figures the results table shows.
 * @param {Row} row
 * @param {import('./backends').Handle} handle
 * @param {MeasureContext} ctx
 * @returns {Promise<StepPass>}
 */
async function stepPass(row, handle, ctx) {
  const { rows, step, decisions, cpuUsPerReq } = await runStepLoad(row, handle, ctx);
  return {
    timeline: rows, step, decisions, rps: step.loadRps, errors: step.failed, requests: step.requests, cpuUsPerReq,
    peakPssKb: step.peakPssKb, idlePssKb: step.endPssKb, pssProcesses: rows.reduce((n, r) => Math.max(n, r.processes), 0),
  };
}

/**
 * Measure `row` once. Resolves the pass result; rejects with a clear message.
 * @param {Row} row
 * @param {MeasureContext} ctx
 * @param {Options} opts
 * @returns {Promise<PassResult>}
 */
async function measure(row, ctx, opts) {
  const handle = await backends.start(row, ctx);
  try {
    await probe.waitReady(row, handle, READY_TIMEOUT_MS);
    if (row.timeline) return await stepPass(row, handle, ctx);
    const base = {
      url: `http://127.0.0.1:${row.listen}${row.request.path}`,
      connections: opts.connections,
      threads: opts.threads,
      script: row.request.method === 'POST' ? ctx.postScript : null,
    };
    const warmup = row.pssOnly ? Math.max(opts.warmup, PSS_MIN_WARMUP_S) : opts.warmup;
    if (warmup > 0) await runWrk(ctx.bins.wrk, { ...base, durationS: warmup });
    if (row.pssOnly) {
      await procs.sleep(IDLE_REST_S * 1000);
      return await idlePss(handle.pid);
    }
    const sampler = pss.startSampler(handle.pid, PSS_EVERY_MS);
    const scraper = row.backend.stats ? scrape.startScraping(backends.statsSocket(row), SCRAPE_EVERY_MS) : null;
    const others = cpu.startOtherCpu();
    const backendCpu = cpu.startTreeCpu(handle.pid);
    /** @type {Awaited<ReturnType<typeof runWrk>>} */
    let r;
    /** @type {ReturnType<ReturnType<typeof pss.startSampler>['stop']>} */
    let peak;
    /** @type {ReturnType<typeof cpu.otherCpu>} */
    let other;
    /** @type {number | null} */
    let cpuUsPerReq = null;
    try {
      r = await runWrk(ctx.bins.wrk, { ...base, durationS: opts.duration });
      cpuUsPerReq = backendCpu.stop(r.requests);
    } finally {
      peak = sampler.stop();
      other = others.stop();
    }
    const scrapes = scraper ? await scraper.stop() : null;
    if (scrapes && scrapes.ok === 0) {
      throw new Error(`${row.id}: no stats document could be read during the measurement (${scrapes.errors.join('; ')}).\n${handle.describe()}`);
    }
    if (handle.proc && handle.proc.exited) {
      throw new Error(`${row.id}: backend exited during the measurement.\n${handle.describe()}`);
    }
    const idle = row.idleAfter ? await idleAfterLoad(row, handle.pid) : null;
    return {
      ...idle,
      rps: r.rps,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors,
      requests: r.requests,
      socketErrors: r.socketErrors,
      non2xx: r.non2xx,
      cpuUsPerReq,
      peakPssKb: peak.peakKb,
      pssProcesses: peak.processes,
      ...(idle ? { idlePssProcesses: idle.pssProcesses } : {}),
      other,
      scrapes,
    };
  } finally {
    await handle.stop();
  }
}

module.exports = { measure };
