'use strict';
// The step-load timeline (group step), pure parts: the phases, wrk's per-second counts, the
// timeline's rows, its summary and its table. step-load.js runs it.
//
// The load is ONE wrk run over the whole load phase (continuous connections, the same generator
// as every other row) with a Lua `response()` that counts answers and failures (status > 399,
// what wrk calls "Non-2xx or 3xx") per wall-clock second; the harness samples the workers and
// PSS on the same wall-clock seconds. wrk's socket errors exist only as a total: they are
// reported for the whole load. (1-second wrk slices would reconnect every second and drop the
// requests in flight at each cut; a Node load generator would take far more of the 2 cores.)
const { median } = require('./stats');
const { renderTable, fmtMiB } = require('./table');

/**
 * @typedef {object} Plan
 * @property {number} idleS  seconds idle first
 * @property {number} loadS  seconds of load
 * @property {number} restS  seconds idle after
 * @property {number} connections  wrk connections during the load
 * @typedef {'idle' | 'load' | 'rest'} Phase
 * @typedef {object} Sample  one second as the harness saw it at its end
 * @property {number} t  seconds since the start (the second [t, t+1))
 * @property {number} epoch  that second's wall-clock second (Date.now() / 1000, floored)
 * @property {number} workers  worker processes at the end of the second
 * @property {number | null} pssKb  PSS of the backend's process tree then
 * @property {number} processes  the processes of that tree (master, workers, anything else)
 * @typedef {Sample & { phase: Phase, rps: number, failed: number, decisions: string }} Second  a row of the timeline
 * @typedef {{ atMs: number, from: number, to: number, reason: string }} Decision  a cheaper log line
 * @typedef {Map<number, { done: number, failed: number }>} Counts  wall-clock second → answers
 */

/**
 * The phase of second `t` (0-based) of `plan`.
 * @param {number} t
 * @param {Plan} plan
 * @returns {Phase}
 */
function phaseAt(t, plan) {
  if (t < plan.idleS) return 'idle';
  return t < plan.idleS + plan.loadS ? 'load' : 'rest';
}

/** @param {Plan} plan */
function totalSeconds(plan) {
  return plan.idleS + plan.loadS + plan.restS;
}

/** The wrk Lua script: per wall-clock second, answers and failed answers, printed at the end. */
function countsScript() {
  return [
    '-- written by bench/lib/timeline.js: answers and failures (status > 399) per wall-clock second',
    'done_at = {}',
    'failed_at = {}',
    'function response(status, headers, body)',
    '  local s = os.time()',
    '  done_at[s] = (done_at[s] or 0) + 1',
    '  if status > 399 then failed_at[s] = (failed_at[s] or 0) + 1 end',
    'end',
    'local threads = {}',
    'function setup(thread) table.insert(threads, thread) end',
    'function done(summary, latency, requests)',
    '  for _, t in ipairs(threads) do',
    '    local d, f = t:get("done_at"), t:get("failed_at")',
    '    for s, n in pairs(d) do io.write(string.format("second %d %d %d\\n", s, n, f[s] or 0)) end',
    '  end',
    'end',
    '',
  ].join('\n');
}

/**
 * The "second EPOCH DONE FAILED" lines of countsScript() in wrk's output, summed per second
 * (one line per wrk thread and second).
 * @param {string} raw
 * @returns {Counts}
 */
function parseCounts(raw) {
  /** @type {Counts} */
  const out = new Map();
  for (const m of String(raw).matchAll(/^second (\d+) (\d+) (\d+)$/gm)) {
    const s = Number(m[1]);
    const prev = out.get(s) ?? { done: 0, failed: 0 };
    out.set(s, { done: prev.done + Number(m[2]), failed: prev.failed + Number(m[3]) });
  }
  return out;
}

/**
 * The cheaper's decisions in a tsuwsgi log (JSON lines with event "cheaper", among the request
 * lines); other lines are skipped.
 * @param {string} text
 * @returns {Decision[]}
 */
function parseDecisions(text) {
  /** @type {Decision[]} */
  const out = [];
  for (const line of String(text).split('\n')) {
    if (!line.includes('"event":"cheaper"')) continue;
    try {
      const j = JSON.parse(line);
      if (j.event === 'cheaper' && typeof j.time === 'number') out.push({ atMs: j.time, from: j.from, to: j.to, reason: String(j.reason) });
    } catch {
      // a line cut by the log's end, or not JSON: not a decision
    }
  }
  return out;
}

/**
 * The timeline: each sample with its phase and the answers counted in its second. Answers
 * counted in seconds the samples do not cover (wrk's last partial second, after the last
 * sample) go to the last load second, so the rows add up to wrk's total.
 * `decisions` ("1->2", "2->1 …") are the cheaper's, in the second they were logged.
 * @param {Sample[]} samples
 * @param {Counts} counts
 * @param {Plan} plan
 * @param {Decision[]} [decisions]
 * @returns {Second[]}
 */
function buildTimeline(samples, counts, plan, decisions = []) {
  const rows = samples.map((s) => {
    const c = counts.get(s.epoch) ?? { done: 0, failed: 0 };
    const made = decisions.filter((d) => Math.floor(d.atMs / 1000) === s.epoch).map((d) => `${d.from}->${d.to}`);
    return { ...s, phase: phaseAt(s.t, plan), rps: c.done, failed: c.failed, decisions: made.join(' ') };
  });
  const covered = new Set(samples.map((s) => s.epoch));
  const lastLoad = rows.filter((r) => r.phase === 'load').at(-1) ?? rows.at(-1);
  if (lastLoad) {
    for (const [epoch, c] of counts) {
      if (covered.has(epoch)) continue;
      lastLoad.rps += c.done;
      lastLoad.failed += c.failed;
    }
  }
  return rows;
}

/**
 * The figures of a timeline. `socketErrors`: wrk's total (connect + read + write + timeout).
 * minWorkers: the count the cheaper keeps (the row's `cheaper`).
 * @param {Second[]} rows
 * @param {{ socketErrors: number, minWorkers: number }} extra
 */
function summarizeTimeline(rows, { socketErrors, minWorkers }) {
  const of = (/** @type {Phase} */ p) => rows.filter((r) => r.phase === p);
  const load = of('load');
  const rest = of('rest');
  const requests = rows.reduce((n, r) => n + r.rps, 0);
  const non2xx = rows.reduce((n, r) => n + r.failed, 0);
  const firstUp = load.findIndex((r) => r.workers > minWorkers);
  // The rest second from which the count stayed at the minimum to the end.
  let down = rest.length;
  while (down > 0 && rest[down - 1].workers <= minWorkers) down--;
  const last = rows.slice(-5);
  return {
    requests,
    loadRps: load.length === 0 ? null : requests / load.length,
    failed: non2xx + socketErrors,
    non2xx,
    socketErrors,
    idleWorkers: of('idle').at(-1)?.workers ?? null,
    maxWorkers: load.length === 0 ? null : Math.max(...load.map((r) => r.workers)),
    endWorkers: rows.at(-1)?.workers ?? null,
    scaledUpAfterS: firstUp < 0 ? null : firstUp + 1,
    backDownAfterS: down === rest.length ? null : down + 1,
    startPssKb: median(of('idle').map((r) => r.pssKb)),
    peakPssKb: rows.reduce((/** @type {number | null} */ m, r) => (r.pssKb !== null && (m === null || r.pssKb > m) ? r.pssKb : m), null),
    endPssKb: median(last.map((r) => r.pssKb)),
  };
}

/**
 * The timeline as a text table: one line a second.
 * @param {Second[]} rows
 */
function timelineTable(rows) {
  return renderTable(
    [
      { title: 't s', align: 'right' },
      { title: 'phase', align: 'left' },
      { title: 'workers', align: 'right' },
      { title: 'req/s', align: 'right' },
      { title: 'failed', align: 'right' },
      { title: 'PSS MiB', align: 'right' },
      { title: 'cheaper', align: 'left' },
    ],
    rows.map((r) => [String(r.t), r.phase, String(r.workers), String(r.rps), String(r.failed), fmtMiB(r.pssKb), r.decisions]),
  );
}

module.exports = { phaseAt, totalSeconds, countsScript, parseCounts, parseDecisions, buildTimeline, summarizeTimeline, timelineTable };
