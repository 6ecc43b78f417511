'use strict';
// The targets, as ratios between two rows of the same run (pure).
const { ratio } = require('./stats');

/**
 * num, den: the row ids of the numerator and the denominator.
 * @typedef {{ label: string, num: string, den: string, metric: 'rps' | 'idlePssKb' | 'peakPssKb' | 'cpuUsPerReq' }
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

/**
 * Evaluate every target against `summaries` (id → summary, or {na: 'reason'}).
 * status: 'met' | 'MISSED' | 'report' | 'n/a'; `why` says what is missing for 'n/a'.
 * @param {Record<string, import('./table').Result | undefined>} summaries
 * @param {Target[]} [targets]
 */
function evaluate(summaries, targets = TARGETS) {
  return targets.map((t) => {
    const missing = [t.num, t.den].filter((id) => metricOf(summaries[id], t.metric) === null);
    const value = missing.length > 0 ? null : ratio(metricOf(summaries[t.num], t.metric), metricOf(summaries[t.den], t.metric));
    let status;
    if (value === null) status = 'n/a';
    else if (t.op === '>=') status = value >= t.goal ? 'met' : 'MISSED';
    else if (t.op === '<=') status = value <= t.goal ? 'met' : 'MISSED';
    else status = 'report';
    const why = missing.length > 0 ? `not measured: ${missing.join(', ')}` : value === null ? 'division by zero' : null;
    return { ...t, value, status, why };
  });
}

/**
 * A row's figure, or null when the row was not measured or has no such figure.
 * @param {import('./table').Result | undefined} s
 * @param {Target['metric']} metric
 */
function metricOf(s, metric) {
  if (!s || 'na' in s) return null;
  const v = s[metric];
  return typeof v === 'number' ? v : null;
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

module.exports = { TARGETS, evaluate, baselineTargets, nodeBinTargets };
