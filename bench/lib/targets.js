'use strict';
// The targets, as ratios between two rows of the same run (pure).
const { ratio } = require('./stats');

/**
 * metric: which summary field is compared ('rps' median req/s, 'idlePssKb' idle PSS).
 * op/goal: the target (null: reported only).
 */
const TARGETS = [
  { label: 'tsuwsgi unix logging on / uWSGI+Flask logging on', num: 'tsuwsgi-unix', den: 'uwsgi-flask', metric: 'rps', op: '>=', goal: 1.3 },
  { label: 'tsuwsgi unix / uWSGI C route', num: 'tsuwsgi-unix', den: 'uwsgi-c', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi unix / uWSGI C route + thunder-lock', num: 'tsuwsgi-unix', den: 'uwsgi-c-thunder', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi unix no logging / uWSGI+Flask no logging', num: 'tsuwsgi-unix-nolog', den: 'uwsgi-flask-nolog', metric: 'rps', op: null, goal: null },
  { label: 'tsuwsgi http-socket keepalive / Node cluster keepalive', num: 'tsuwsgi-http-ka', den: 'node-cluster-ka', metric: 'rps', op: '>=', goal: 0.9 },
  { label: 'tsuwsgi master accept / tsuwsgi workers accept (unix)', num: 'tsuwsgi-master-accept', den: 'tsuwsgi-unix', metric: 'rps', op: null, goal: null },
  { label: '64 KiB POST echo: tsuwsgi / uWSGI+Flask', num: 'post-tsuwsgi', den: 'post-uwsgi-flask', metric: 'rps', op: null, goal: null },
  { label: 'CPU-bound: processes=1 threads=2 / threads=1', num: 'cpu-p1t2', den: 'cpu-p1t1', metric: 'rps', op: '>=', goal: 1.6 },
  { label: 'CPU-bound: processes=2 threads=1 / processes=1 threads=1', num: 'cpu-p2t1', den: 'cpu-p1t1', metric: 'rps', op: null, goal: null },
  { label: 'stats on (scraped every 1 s) / stats off, unix, logging off', num: 'stats-on', den: 'stats-off', metric: 'rps', op: null, goal: null },
  { label: 'idle PSS: tsuwsgi 4 processes / Node cluster 4 workers', num: 'pss-tsuwsgi-p4', den: 'pss-node-cluster-4', metric: 'idlePssKb', op: '<=', goal: 1.1 },
];

/**
 * Evaluate every target against `summaries` (id → summary, or {na: 'reason'}).
 * status: 'met' | 'MISSED' | 'report' | 'n/a'; `why` says what is missing for 'n/a'.
 */
function evaluate(summaries, targets = TARGETS) {
  return targets.map((t) => {
    const a = summaries[t.num];
    const b = summaries[t.den];
    const missing = [t.num, t.den].filter((id) => {
      const s = summaries[id];
      return !s || s.na || typeof s[t.metric] !== 'number';
    });
    const value = missing.length > 0 ? null : ratio(a[t.metric], b[t.metric]);
    let status;
    if (value === null) status = 'n/a';
    else if (t.op === '>=') status = value >= t.goal ? 'met' : 'MISSED';
    else if (t.op === '<=') status = value <= t.goal ? 'met' : 'MISSED';
    else status = 'report';
    const why = missing.length > 0 ? `not measured: ${missing.join(', ')}` : value === null ? 'division by zero' : null;
    return { ...t, value, status, why };
  });
}

/** This build against the baseline build, for every row run both ways (--baseline). */
function baselineTargets(rows) {
  return rows
    .filter((r) => r.baselineOf)
    .flatMap((r) => [
      { label: `${r.baselineOf}: req/s, this build / baseline build`, num: r.baselineOf, den: r.id, metric: 'rps', op: null, goal: null },
      { label: `${r.baselineOf}: backend CPU per request, this build / baseline build`, num: r.baselineOf, den: r.id, metric: 'cpuUsPerReq', op: null, goal: null },
    ]);
}

/** The other Node line against this one, for every row run with both (--node-bin). */
function nodeBinTargets(rows) {
  return rows
    .filter((r) => r.nodeTwinOf)
    .flatMap((r) => {
      const other = r.id.slice(r.nodeTwinOf.length + 1);
      return [
        { label: `${r.nodeTwinOf}: req/s, ${other} / this node`, num: r.id, den: r.nodeTwinOf, metric: 'rps', op: null, goal: null },
        { label: `${r.nodeTwinOf}: backend CPU per request, ${other} / this node`, num: r.id, den: r.nodeTwinOf, metric: 'cpuUsPerReq', op: null, goal: null },
        { label: `${r.nodeTwinOf}: peak PSS, ${other} / this node`, num: r.id, den: r.nodeTwinOf, metric: 'peakPssKb', op: null, goal: null },
      ];
    });
}

module.exports = { TARGETS, evaluate, baselineTargets, nodeBinTargets };
