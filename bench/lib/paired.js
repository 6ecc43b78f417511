'use strict';
// Paired rounds (--paired-rounds N): the rows of a throughput target run together behind the one
// nginx and are measured in turn, a few seconds each, round after round. Each round gives the
// target's ratio from figures taken seconds apart. On this shared machine a slow spell moves
// every process at once (nginx and wrk as much as the backend) and lasts from seconds to
// minutes; in a pass it lands on whichever row runs then, in a round on both sides of the ratio.
// The pure parts are here; run.js drives the backends.
const { median, finite, ratio, spread } = require('./stats');

/** @typedef {import('./targets').Target} Target */

/**
 * The targets measured in paired rounds: req/s ratios between two rows with a goal, both rows
 * runnable and neither a PSS-only nor a timeline row (those have no req/s to pair).
 * @param {Target[]} targets
 * @param {import('./rows').Row[]} runnable
 * @returns {Target[]}
 */
function pairedTargets(targets, runnable) {
  const ok = new Set(runnable.filter((r) => !r.pssOnly && !r.timeline).map((r) => r.id));
  // A pair named by two targets (issue 3's 1.3 and issue 14's 1.6 on tsuwsgi / Flask) keeps
  // both goals; groups() still runs its rows once.
  return targets.filter((t) => t.metric === 'rps' && t.den !== null && t.op !== null && ok.has(t.num) && ok.has(t.den));
}

/**
 * Rows that must run together: the connected sets of the targets' num–den pairs, each in the
 * order its rows first appear. A row shared by two targets (the C route and Flask against the
 * same tsuwsgi row) joins their sets, so no row is started twice.
 * @param {Target[]} targets
 * @returns {string[][]}
 */
function groups(targets) {
  /** @type {Map<string, string>} */
  const parent = new Map();
  /** @param {string} id @returns {string} */
  const find = (id) => {
    let p = parent.get(id) ?? id;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    return p;
  };
  const order = [];
  for (const t of targets) {
    for (const id of [t.num, /** @type {string} */ (t.den)]) {
      if (!parent.has(id)) {
        parent.set(id, id);
        order.push(id);
      }
    }
    const [a, b] = [find(t.num), find(/** @type {string} */ (t.den))];
    if (a !== b) parent.set(b, a);
  }
  /** @type {Map<string, string[]>} */
  const byRoot = new Map();
  for (const id of order) {
    const root = find(id);
    byRoot.set(root, [...(byRoot.get(root) ?? []), id]);
  }
  return [...byRoot.values()];
}

/**
 * The order of a round: rotated by the round's number, and reversed every other round, so each
 * row takes each place and follows each other row as often as the other follows it (a row right
 * after a loaded one meets its leftovers: TIME_WAIT sockets, a warm or a dirty cache).
 * @param {string[]} ids
 * @param {number} round  0-based
 * @returns {string[]}
 */
function roundOrder(ids, round) {
  const n = ids.length;
  if (n === 0) return [];
  const k = Math.floor(round / 2) % n;
  const rotated = [...ids.slice(k), ...ids.slice(0, k)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/**
 * Each target's ratio per round (rounds: id → req/s, or null for a failed measurement), their
 * median and range, and the goal's status on the median.
 * @param {Target[]} targets
 * @param {Record<string, number | null>[]} rounds
 */
function evaluatePaired(targets, rounds) {
  return targets.map((t) => {
    const values = finite(rounds.map((r) => ratio(r[t.num], r[/** @type {string} */ (t.den)])));
    const value = median(values);
    const range = spread(values);
    let status = 'n/a';
    if (value !== null && t.op === '>=') status = value >= t.goal ? 'met' : 'MISSED';
    else if (value !== null && t.op === '<=') status = value <= t.goal ? 'met' : 'MISSED';
    return { ...t, value, min: range && range[0], max: range && range[1], rounds: values.length, of: rounds.length, status };
  });
}

module.exports = { pairedTargets, groups, roundOrder, evaluatePaired };
