'use strict';
// The targets, as ratios between two rows of the same run (pure).
const { ratio } = require('./stats');

/**
 * num, den: the row ids of the numerator and the denominator; den null: the value is num's
 * figure itself (times `scale`), e.g. a PSS in MiB or a count of failed requests. metric: a
 * summary field, or 'step.FIELD' for a step-load row's (timeline.summarizeTimeline);
 * denMetric: the denominator's when it differs. unit: how a value target is printed.
 * @typedef {{ label: string, num: string, den: string | null, metric: string, denMetric?: string, scale?: number,
 *   unit?: 'MiB' | 'count' | 's' }
 *   & ({ op: '>=' | '<=', goal: number } | { op: null, goal: null })} Target
 */

/**
 * metric: which summary field is compared ('rps' median req/s, 'idlePssKb' idle PSS, 'peakPssKb' peak PSS).
 * op/goal: the target (null: reported only).
 */
/** @type {Target[]} */
const TARGETS = [
  { label: 'tsuwsgi unix logging on / uWSGI+Flask logging on', num: 'tsuwsgi-unix', den: 'uwsgi-flask', metric: 'rps', op: '>=', goal: 1.3 },
  { label: 'tsuwsgi unix / uWSGI C route', num: 'tsuwsgi-unix', den: 'uwsgi-c', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi unix / uWSGI C route + thunder-lock', num: 'tsuwsgi-unix', den: 'uwsgi-c-thunder', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi unix no logging / uWSGI+Flask no logging', num: 'tsuwsgi-unix-nolog', den: 'uwsgi-flask-nolog', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi http-socket keepalive / Node cluster keepalive', num: 'tsuwsgi-http-ka', den: 'node-cluster-ka', metric: 'rps', op: '>=', goal: 0.9 },
  { label: 'tsuwsgi master accept / tsuwsgi workers accept (unix)', num: 'tsuwsgi-master-accept', den: 'tsuwsgi-unix', metric: 'rps', op: null, goal: null },
  { label: '64 KiB POST echo: tsuwsgi / uWSGI+Flask', num: 'post-tsuwsgi', den: 'post-uwsgi-flask', metric: 'rps', op: null, goal: null },
  { label: '64 KiB POST echo: post-buffering in memory / off (req/s)', num: 'post-tsuwsgi-pb', den: 'post-tsuwsgi', metric: 'rps', op: null, goal: null },
  { label: '64 KiB POST echo: post-buffering in memory / off (CPU per request)', num: 'post-tsuwsgi-pb', den: 'post-tsuwsgi', metric: 'cpuUsPerReq', op: null, goal: null },
  { label: '64 KiB POST echo: post-buffering in a temp file / off (CPU per request)', num: 'post-tsuwsgi-pb-file', den: 'post-tsuwsgi', metric: 'cpuUsPerReq', op: null, goal: null },
  { label: 'CPU-bound: processes=1 threads=2 / threads=1', num: 'cpu-p1t2', den: 'cpu-p1t1', metric: 'rps', op: '>=', goal: 1.6 },
  { label: 'CPU-bound: processes=2 threads=1 / processes=1 threads=1', num: 'cpu-p2t1', den: 'cpu-p1t1', metric: 'rps', op: null, goal: null },
  { label: 'stats on (scraped every 1 s) / stats off, unix, logging off', num: 'stats-on', den: 'stats-off', metric: 'rps', op: null, goal: null },
  { label: 'static 1 KiB file: tsuwsgi static-map / nginx by itself', num: 'static-1k-tsuwsgi', den: 'static-1k-nginx', metric: 'rps', op: null, goal: null },
  { label: 'static 1 KiB file: tsuwsgi static-map / uWSGI static-map', num: 'static-1k-tsuwsgi', den: 'static-1k-uwsgi', metric: 'rps', op: null, goal: null },
  { label: 'static 1 MiB file: tsuwsgi static-map / nginx by itself', num: 'static-1m-tsuwsgi', den: 'static-1m-nginx', metric: 'rps', op: null, goal: null },
  { label: 'static 1 MiB file: tsuwsgi static-map / uWSGI static-map', num: 'static-1m-tsuwsgi', den: 'static-1m-uwsgi', metric: 'rps', op: null, goal: null },
  { label: 'the app (GET /) with static-map set / without (tsuwsgi-unix), req/s', num: 'static-map-app', den: 'tsuwsgi-unix', metric: 'rps', op: null, goal: null },
  { label: 'the app (GET /) with static-map set / without (tsuwsgi-unix), CPU per request', num: 'static-map-app', den: 'tsuwsgi-unix', metric: 'cpuUsPerReq', op: null, goal: null },
  { label: 'idle PSS: tsuwsgi 4 processes / Node cluster 4 workers', num: 'pss-tsuwsgi-p4', den: 'pss-node-cluster-4', metric: 'idlePssKb', op: '<=', goal: 1.1 },
];

/** A target without a goal: reported only. */
const REPORT = /** @type {const} */ ({ op: null, goal: null });
const MIB = 1 / 1024;

/**
 * Issue 14's targets: the seed's ini (4 x 2) and 2 x 1 against uWSGI, PSS against a plain Node
 * cluster, the cost of cheaper's busy fields, and the cheaper's memory after a load (group 13)
 * and under a step load (group step). withTwins() repeats them for --node-bin / --baseline rows.
 * @type {Target[]}
 */
const TARGETS_14 = [
  { label: 'seed 4x2, unix: tsuwsgi / uWSGI+Flask', num: 'seed-tsuwsgi-unix', den: 'seed-uwsgi-flask-unix', metric: 'rps', op: '>=', goal: 1.5 },
  { label: 'seed 4x2, unix: tsuwsgi peak PSS, MiB', num: 'seed-tsuwsgi-unix', den: null, metric: 'peakPssKb', scale: MIB, unit: 'MiB', op: '<=', goal: 200 },
  { label: 'seed 4x2, unix: peak PSS tsuwsgi / uWSGI+Flask', num: 'seed-tsuwsgi-unix', den: 'seed-uwsgi-flask-unix', metric: 'peakPssKb', ...REPORT },
  { label: 'seed 4x2, tcp: tsuwsgi / uWSGI+Flask', num: 'seed-tsuwsgi-tcp', den: 'seed-uwsgi-flask-tcp', metric: 'rps', op: '>=', goal: 1.5 },
  { label: 'seed 4x2, tcp: tsuwsgi peak PSS, MiB', num: 'seed-tsuwsgi-tcp', den: null, metric: 'peakPssKb', scale: MIB, unit: 'MiB', ...REPORT },
  { label: 'seed 4x2: tsuwsgi tcp / unix', num: 'seed-tsuwsgi-tcp', den: 'seed-tsuwsgi-unix', metric: 'rps', ...REPORT },
  { label: 'seed 4x2, tcp: uWSGI C route / uWSGI+Flask (what any backend could reach)', num: 'seed-uwsgi-c-tcp', den: 'seed-uwsgi-flask-tcp', metric: 'rps', ...REPORT },
  { label: 'seed 4x2, tcp: tsuwsgi / uWSGI C route', num: 'seed-tsuwsgi-tcp', den: 'seed-uwsgi-c-tcp', metric: 'rps', ...REPORT },
  { label: 'seed 4x2, unix: tsuwsgi / uWSGI C route', num: 'seed-tsuwsgi-unix', den: 'seed-uwsgi-c-unix', metric: 'rps', ...REPORT },
  { label: '2x1, unix: tsuwsgi / uWSGI+Flask', num: 'tsuwsgi-unix', den: 'uwsgi-flask', metric: 'rps', op: '>=', goal: 1.6 },
  { label: '2x1, unix: tsuwsgi / uWSGI C route', num: 'tsuwsgi-unix', den: 'uwsgi-c', metric: 'rps', op: '>=', goal: 0.8 },
  // uWSGI writes no request line for a request its router answers (route-run return), logging
  // on or off: tsuwsgi without its line is the same work.
  { label: '2x1, unix: tsuwsgi without request lines / uWSGI C route (which writes none)', num: 'tsuwsgi-unix-nolog', den: 'uwsgi-c', metric: 'rps', ...REPORT },
  { label: '2x1, unix: tsuwsgi accepting-workers=1 / uWSGI+Flask', num: 'tsuwsgi-unix-acc1', den: 'uwsgi-flask', metric: 'rps', ...REPORT },
  { label: '2x1, unix: tsuwsgi accepting-workers=1 / uWSGI C route', num: 'tsuwsgi-unix-acc1', den: 'uwsgi-c', metric: 'rps', ...REPORT },
  { label: '2x1, unix: backend CPU per request, tsuwsgi accepting-workers=1 / default', num: 'tsuwsgi-unix-acc1', den: 'tsuwsgi-unix', metric: 'cpuUsPerReq', ...REPORT },
  { label: '2x1, unix: Node floor / uWSGI C route (what a Node server could reach)', num: 'node-floor', den: 'uwsgi-c', metric: 'rps', ...REPORT },
  { label: '2x1, unix: tsuwsgi / Node floor', num: 'tsuwsgi-unix', den: 'node-floor', metric: 'rps', ...REPORT },
  { label: '2x1, unix: backend CPU per request, tsuwsgi / Node floor', num: 'tsuwsgi-unix', den: 'node-floor', metric: 'cpuUsPerReq', ...REPORT },
  { label: '2x1, tcp: Node floor / uWSGI C route', num: 'node-floor-tcp', den: 'uwsgi-c-tcp', metric: 'rps', ...REPORT },
  { label: '2x1, tcp: tsuwsgi / Node floor', num: 'tsuwsgi-tcp', den: 'node-floor-tcp', metric: 'rps', ...REPORT },
  { label: '2x1, tcp: tsuwsgi / uWSGI+Flask', num: 'tsuwsgi-tcp', den: 'uwsgi-flask-tcp', metric: 'rps', ...REPORT },
  { label: '2x1: tsuwsgi tcp / unix', num: 'tsuwsgi-tcp', den: 'tsuwsgi-unix', metric: 'rps', ...REPORT },
  { label: '2x1, tcp: uWSGI C route / uWSGI+Flask (what any backend could reach)', num: 'uwsgi-c-tcp', den: 'uwsgi-flask-tcp', metric: 'rps', ...REPORT },
  { label: '2x1, tcp: tsuwsgi / uWSGI C route', num: 'tsuwsgi-tcp', den: 'uwsgi-c-tcp', metric: 'rps', ...REPORT },
  { label: '2x1: peak PSS under load, tsuwsgi unix / Node cluster', num: 'tsuwsgi-unix', den: 'node-cluster', metric: 'peakPssKb', op: '<=', goal: 1.1 },
  { label: '4 processes: idle PSS after a load, tsuwsgi / Node cluster', num: 'pss-tsuwsgi-p4', den: 'pss-node-cluster-4', metric: 'idlePssKb', op: '<=', goal: 1.1 },
  // Issue 14: app threads on demand must keep 2 blocking slots worth ≥ 1.8 × one thread.
  { label: 'CPU-bound, processes=1: threads=2 / threads=1', num: 'cpu-p1t2', den: 'cpu-p1t1', metric: 'rps', op: '>=', goal: 1.8 },
  { label: 'busy fields on / off (cheaper manual at 2 workers): req/s', num: 'busy-on', den: 'busy-off', metric: 'rps', ...REPORT },
  { label: 'busy fields on / off (cheaper manual at 2 workers): CPU per request', num: 'busy-on', den: 'busy-off', metric: 'cpuUsPerReq', ...REPORT },
  { label: 'busy fields off again / off (the same configuration twice: the noise): req/s', num: 'busy-off-again', den: 'busy-off', metric: 'rps', ...REPORT },
  { label: 'busy fields off again / off (the same configuration twice: the noise): CPU per request', num: 'busy-off-again', den: 'busy-off', metric: 'cpuUsPerReq', ...REPORT },
  { label: 'cheaper 4/1 under load: req/s / fixed 4', num: 'cheaper-p4c1', den: 'fixed-p4', metric: 'rps', ...REPORT },
  { label: 'cheaper 4/1: idle PSS after the load / fixed 4', num: 'cheaper-p4c1', den: 'fixed-p4', metric: 'idlePssKb', ...REPORT },
  { label: 'cheaper 4/1: idle PSS after the load / fixed 1 (the one-worker figure)', num: 'cheaper-p4c1', den: 'fixed-p1', metric: 'idlePssKb', op: '<=', goal: 1.1 },
  { label: 'cheaper 4/1: worker processes left at the idle PSS', num: 'cheaper-p4c1', den: null, metric: 'idleWorkers', unit: 'count', op: '<=', goal: 1 },
  { label: 'step load: failed requests (non-2xx + socket errors)', num: 'step-p4c1', den: null, metric: 'step.failed', unit: 'count', op: '<=', goal: 0 },
  { label: 'step load: most worker processes under load', num: 'step-p4c1', den: null, metric: 'step.maxWorkers', unit: 'count', op: '>=', goal: 2 },
  { label: 'step load: seconds of load until a worker was added', num: 'step-p4c1', den: null, metric: 'step.scaledUpAfterS', unit: 's', ...REPORT },
  { label: 'step load: seconds of rest until back at 1 worker for good', num: 'step-p4c1', den: null, metric: 'step.backDownAfterS', unit: 's', ...REPORT },
  { label: 'step load: worker processes at the end of the rest', num: 'step-p4c1', den: null, metric: 'step.endWorkers', unit: 'count', op: '<=', goal: 1 },
  { label: 'step load: PSS at the end of the rest, cheaper 4/1 / fixed 1 (the one-worker figure)', num: 'step-p4c1', den: 'step-p1', metric: 'step.endPssKb', op: '<=', goal: 1.1 },
  { label: 'step load: req/s over the load, cheaper 4/1 / fixed 1', num: 'step-p4c1', den: 'step-p1', metric: 'step.loadRps', ...REPORT },
];

/**
 * Evaluate every target against `summaries` (id → summary, or {na: 'reason'}).
 * status: 'met' | 'MISSED' | 'report' | 'n/a'; `why` says what is missing for 'n/a'.
 * @param {Record<string, import('./table').Result | undefined>} summaries
 * @param {Target[]} [targets]
 */
function evaluate(summaries, targets = TARGETS) {
  return targets.map((t) => {
    const num = metricOf(summaries[t.num], t.metric);
    const den = t.den === null ? 1 : metricOf(summaries[t.den], t.denMetric ?? t.metric);
    const missing = [num === null ? t.num : null, den === null ? t.den : null].filter((id) => id !== null);
    const value = missing.length > 0 ? null : t.den === null ? /** @type {number} */ (num) * (t.scale ?? 1) : ratio(num, den);
    // A step-load figure that is null in a measured row: what it counts never happened.
    const never = missing.length === 1 && t.den === null && t.metric.startsWith('step.') && metricOf(summaries[t.num], 'step.requests') !== null;
    let status;
    if (value === null) status = 'n/a';
    else if (t.op === '>=') status = value >= t.goal ? 'met' : 'MISSED';
    else if (t.op === '<=') status = value <= t.goal ? 'met' : 'MISSED';
    else status = 'report';
    const why = never ? `never happened in ${t.num}` : missing.length > 0 ? `not measured: ${missing.join(', ')}` : value === null ? 'division by zero' : null;
    return { ...t, value, status, why };
  });
}

/**
 * A row's figure, or null when the row was not measured or has no such figure. `metric` is a
 * summary field or a path into it ('step.failed').
 * @param {import('./table').Result | undefined} s
 * @param {string} metric
 */
function metricOf(s, metric) {
  if (!s || 'na' in s) return null;
  /** @type {unknown} */
  let v = s;
  for (const key of metric.split('.')) v = v !== null && typeof v === 'object' ? /** @type {Record<string, unknown>} */ (v)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * `targets`, each followed by its copies for the twin rows of --node-bin (`ID@nodeN`) and
 * --baseline (`ID@base`): every row of the target that has a twin is replaced by it (both sides,
 * so busy-on/busy-off on Node 24 compares the two Node 24 rows, and tsuwsgi on Node 24 the Node
 * cluster on Node 24; uWSGI stays, and the Node cluster for the baseline build).
 * @param {Target[]} targets
 * @param {import('./rows').Row[]} rows
 * @returns {Target[]}
 */
function withTwins(targets, rows) {
  const ids = new Set(rows.map((r) => r.id));
  const suffixes = [...new Set(rows.flatMap((r) => {
    const of = r.nodeTwinOf ?? r.baselineOf;
    return of ? [r.id.slice(of.length)] : [];
  }))];
  return targets.flatMap((t) => [t, ...suffixes.flatMap((sfx) => {
    const twin = (/** @type {string | null} */ id) => (id !== null && ids.has(id + sfx) ? id + sfx : id);
    const [num, den] = [twin(t.num), twin(t.den)];
    if (num === t.num && den === t.den) return [];
    const tag = sfx === '@base' ? 'baseline build' : sfx.replace(/^@node/, 'node ');
    return [{ ...t, label: `${t.label} [${tag}]`, num: /** @type {string} */ (num), den }];
  })]);
}

/**
 * The targets of `list` that name one of `rows` (as numerator or denominator), with their
 * twins' copies (withTwins): the others would only say "not measured".
 * @param {Target[]} list
 * @param {import('./rows').Row[]} rows
 * @returns {Target[]}
 */
function involving(list, rows) {
  const ids = new Set(rows.map((r) => r.id));
  return withTwins(list.filter((t) => ids.has(t.num) || (t.den !== null && ids.has(t.den))), rows);
}

/**
 * This build against the baseline build, for every row run both ways (--baseline).
 * @param {import('./rows').Row[]} rows
 * @returns {Target[]}
 */
function baselineTargets(rows) {
  return rows.flatMap((r) => {
    const of = r.baselineOf;
    if (!of) return [];
    return [
      { label: `${of}: req/s, this build / baseline build`, num: of, den: r.id, metric: 'rps', op: null, goal: null },
      { label: `${of}: backend CPU per request, this build / baseline build`, num: of, den: r.id, metric: 'cpuUsPerReq', op: null, goal: null },
    ];
  });
}

/**
 * The other Node line against this one, for every row run with both (--node-bin).
 * @param {import('./rows').Row[]} rows
 * @returns {Target[]}
 */
function nodeBinTargets(rows) {
  return rows.flatMap((r) => {
    const of = r.nodeTwinOf;
    if (!of) return [];
    const other = r.id.slice(of.length + 1);
    return [
      { label: `${of}: req/s, ${other} / this node`, num: r.id, den: of, metric: 'rps', op: null, goal: null },
      { label: `${of}: backend CPU per request, ${other} / this node`, num: r.id, den: of, metric: 'cpuUsPerReq', op: null, goal: null },
      { label: `${of}: peak PSS, ${other} / this node`, num: r.id, den: of, metric: 'peakPssKb', op: null, goal: null },
    ];
  });
}

module.exports = { TARGETS, TARGETS_14, evaluate, metricOf, withTwins, involving, baselineTargets, nodeBinTargets };
