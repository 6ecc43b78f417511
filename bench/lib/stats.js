'use strict';
// Pure arithmetic over the passes of a row: median, spread, ratios.

/**
 * One pass of a row as the summary reads it: measure()'s result, or {error} when it failed.
 * @typedef {object} Pass
 * @property {string} [error]
 * @property {number | null} [rps]
 * @property {number | null} [p50]
 * @property {number | null} [p99]
 * @property {number | null} [cpuUsPerReq]
 * @property {number} [errors]
 * @property {number | null} [requests]
 * @property {number | null} [peakPssKb]
 * @property {number | null} [idlePssKb]
 * @property {number} [pssProcesses]
 * @property {number} [idleWaitS]  group 13: the rest after the load before the idle PSS
 * @property {number} [idleWorkers]  group 13: the worker processes left then
 * @property {import('./timeline').Second[]} [timeline]  group step
 * @property {ReturnType<typeof import('./timeline').summarizeTimeline>} [step]  group step
 * @property {import('./timeline').Decision[]} [decisions]  group step: the cheaper's
 * @property {import('./cpu').OtherCpu | null} [other]
 */
/** @typedef {ReturnType<typeof summarize> & { ratios?: Record<string, number | null> }} Summary */

/**
 * Median of the finite numbers in `values`; null when there are none.
 * @param {unknown[]} values
 * @returns {number | null}
 */
function median(values) {
  const v = finite(values).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * @param {unknown[]} values
 * @returns {number[]}
 */
function finite(values) {
  return /** @type {number[]} */ (values.filter((x) => typeof x === 'number' && Number.isFinite(x)));
}

/**
 * [min, max] of the finite numbers; null when there are none.
 * @param {unknown[]} values
 * @returns {[number, number] | null}
 */
function spread(values) {
  const v = finite(values);
  if (v.length === 0) return null;
  return [Math.min(...v), Math.max(...v)];
}

/**
 * The largest finite number, or null.
 * @param {unknown[]} values
 */
function maxOrNull(values) {
  const s = spread(values);
  return s === null ? null : s[1];
}

/**
 * a / b, or null when either is missing or b is 0.
 * @param {unknown} a
 * @param {unknown} b
 */
function ratio(a, b) {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (b === 0) return null;
  return a / b;
}

/**
 * One row's summary over its passes. Each pass is {rps, p50, p99, errors, peakPssKb, idlePssKb}
 * (numbers or null) or {error: string}. Failed passes count in `failed` and are otherwise ignored.
 * @param {Pass[]} passes
 */
function summarize(passes) {
  const ok = passes.filter((p) => !p.error);
  const rps = ok.map((p) => p.rps);
  const peaks = ok.map((p) => p.peakPssKb).filter((x) => typeof x === 'number');
  const idles = ok.map((p) => p.idlePssKb);
  return {
    passes: passes.length,
    failed: passes.length - ok.length,
    errorsText: passes.flatMap((p) => (p.error ? [p.error] : [])),
    rps: median(rps),
    rpsSpread: spread(rps),
    p50: median(ok.map((p) => p.p50)),
    p99: median(ok.map((p) => p.p99)),
    cpuUsPerReq: median(ok.map((p) => p.cpuUsPerReq)),
    errors: ok.length === 0 ? null : ok.reduce((n, p) => n + (p.errors || 0), 0),
    requests: ok.length === 0 ? null : ok.reduce((n, p) => n + (p.requests || 0), 0),
    peakPssKb: peaks.length === 0 ? null : Math.max(...peaks),
    idlePssKb: median(idles),
    idleWaitS: median(ok.map((p) => p.idleWaitS)),
    idleWorkers: maxOrNull(ok.map((p) => p.idleWorkers)),
    // A step-load row runs once per bench (run.js): its pass is the figure.
    timeline: ok.find((p) => p.timeline)?.timeline ?? null,
    step: ok.find((p) => p.step)?.step ?? null,
    decisions: ok.find((p) => p.decisions)?.decisions ?? null,
    otherMax: maxOrNull(ok.map((p) => p.other && p.other.share)),
  };
}

/**
 * Ratios of a row's median req/s against the reference rows' (null where not available).
 * @param {{ rps: number | null } | undefined} summary
 * @param {Record<string, { rps: number | null } | undefined>} refs
 */
function ratios(summary, refs) {
  /** @type {Record<string, number | null>} */
  const out = {};
  for (const [name, ref] of Object.entries(refs)) out[name] = ratio(summary && summary.rps, ref && ref.rps);
  return out;
}

module.exports = { median, finite, spread, maxOrNull, ratio, summarize, ratios };
