'use strict';
// Runs the step-load timeline of a group-step row on its started backend: idle, one wrk run of
// `connections` for the load phase, idle again; at the end of every wall-clock second the
// worker processes and the tree's PSS are sampled (timeline.js has the why of one wrk run).
const fs = require('fs');
const path = require('path');
const cpu = require('./cpu');
const procs = require('./procs');
const pss = require('./pss');
const timeline = require('./timeline');
const { workerPids } = require('./workers');
const { runWrk } = require('./wrk');

/** Sample this long after a second ends, so wrk's answers of that second are counted in it. */
const SAMPLE_LAG_MS = 20;

/** @param {number} at  a Date.now() value */
const sleepUntil = (at) => procs.sleep(Math.max(0, at - Date.now()));

/**
 * @param {import('./rows').Row} row  a row with `timeline`
 * @param {import('./backends').Handle} handle
 * @param {import('./measure').MeasureContext} ctx
 */
async function runStepLoad(row, handle, ctx) {
  const plan = /** @type {import('./timeline').Plan} */ (row.timeline);
  const script = path.join(ctx.dir, 'per-second.lua');
  if (!fs.existsSync(script)) fs.writeFileSync(script, timeline.countsScript());
  const minWorkers = Number(row.backend.extra?.cheaper ?? row.backend.processes);
  const start = Math.ceil(Date.now() / 1000) * 1000;
  await sleepUntil(start);
  /** @type {Promise<{ wrk: Awaited<ReturnType<typeof runWrk>>, cpuUsPerReq: number | null } | { error: unknown }> | null} */
  let load = null;
  /** @type {import('./timeline').Sample[]} */
  const samples = [];
  for (let t = 0; t < timeline.totalSeconds(plan); t++) {
    if (t === plan.idleS) load = startLoad(row, handle, ctx, plan, script);
    await sleepUntil(start + (t + 1) * 1000 + SAMPLE_LAG_MS);
    const tree = pss.treePss(handle.pid);
    const workers = workerPids(handle.pid, row.backend.kind).length;
    samples.push({ t, epoch: start / 1000 + t, workers, pssKb: tree.count > 0 ? tree.kb : null, processes: tree.count });
    if (handle.proc && handle.proc.exited) throw new Error(`${row.id}: backend exited during the step load.\n${handle.describe()}`);
  }
  const ran = load ? await load : null;
  if (ran && 'error' in ran) throw ran.error;
  const raw = ran ? ran.wrk.raw : '';
  const se = ran ? ran.wrk.socketErrors : { connect: 0, read: 0, write: 0, timeout: 0 };
  const decisions = timeline.parseDecisions(handle.logFile ? readOrEmpty(handle.logFile) : '');
  const rows = timeline.buildTimeline(samples, timeline.parseCounts(raw), plan, decisions);
  const step = timeline.summarizeTimeline(rows, { socketErrors: se.connect + se.read + se.write + se.timeout, minWorkers });
  return { rows, step, decisions, cpuUsPerReq: ran ? ran.cpuUsPerReq : null };
}

/** @param {string} file */
function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The load phase: one wrk run, with the backend's CPU over it; never rejects.
 * @param {import('./rows').Row} row
 * @param {import('./backends').Handle} handle
 * @param {import('./measure').MeasureContext} ctx
 * @param {import('./timeline').Plan} plan
 * @param {string} script
 */
function startLoad(row, handle, ctx, plan, script) {
  const backendCpu = cpu.startTreeCpu(handle.pid);
  const url = `http://127.0.0.1:${row.listen}${row.request.path}`;
  return runWrk(ctx.bins.wrk, { url, connections: plan.connections, threads: 1, durationS: plan.loadS, script }).then(
    (wrk) => ({ wrk, cpuUsPerReq: backendCpu.stop(wrk.requests) }),
    (error) => ({ error }),
  );
}

module.exports = { runStepLoad };
