'use strict';
// Text formatting of the results (pure).

const DASH = '-';

/** @typedef {import('./stats').Summary | { na: string }} Result  a row's summary, or why it was not run */

/** @typedef {{ title: string, align: 'left' | 'right' }} Column */
/** @typedef {string[] | { cells: string[], note?: string | null }} TableRow */

/** @param {unknown} n */
function fmtRps(n) {
  return typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n)) : DASH;
}

/** @param {unknown} s */
function fmtSpread(s) {
  return Array.isArray(s) ? `${fmtRps(s[0])}–${fmtRps(s[1])}` : DASH;
}

/**
 * Milliseconds as wrk-like text: 640us, 1.25ms, 12.5ms, 250ms, 2.50s.
 * @param {unknown} ms
 */
function fmtMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return DASH;
  if (ms < 1) return `${Math.round(ms * 1000)}us`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/**
 * kB as MiB with one decimal.
 * @param {unknown} kb
 */
function fmtMiB(kb) {
  return typeof kb === 'number' && Number.isFinite(kb) ? (kb / 1024).toFixed(1) : DASH;
}

/** @param {unknown} r */
function fmtRatio(r) {
  return typeof r === 'number' && Number.isFinite(r) ? r.toFixed(2) : DASH;
}

/**
 * A share 0..1 as a whole percentage.
 * @param {unknown} share
 */
function fmtPct(share) {
  return typeof share === 'number' && Number.isFinite(share) ? `${Math.round(share * 100)}%` : DASH;
}

/**
 * The top other processes of cpu.otherCpu(): "node 45%, bash 3%".
 * @param {{ comm: string, share: number }[] | null | undefined} top
 */
function fmtTop(top) {
  return (top || []).map((t) => `${t.comm} ${fmtPct(t.share)}`).join(', ') || 'unknown';
}

/** @param {unknown} n */
function fmtCount(n) {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : DASH;
}

/**
 * Render aligned columns. columns: [{title, align: 'left'|'right'}]; rows: arrays of cell
 * strings, or {cells, note}: the note replaces every cell after `cells` (for "n/a: …" rows).
 * Column widths come from the titles and the full-width rows; notes may run past them.
 * @param {Column[]} columns
 * @param {TableRow[]} rows
 */
function renderTable(columns, rows) {
  const widths = columns.map((c) => c.title.length);
  const norm = rows.map((r) => (Array.isArray(r) ? { cells: r, note: null } : { cells: r.cells, note: r.note ?? null }));
  for (const r of norm) {
    r.cells.forEach((cell, i) => {
      if (i < widths.length) widths[i] = Math.max(widths[i], String(cell).length);
    });
  }
  const pad = (/** @type {unknown} */ text, /** @type {number} */ i) => {
    const s = String(text);
    return columns[i].align === 'right' ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  };
  const line = (/** @type {string[]} */ cells, /** @type {string | null | undefined} */ note) => {
    const parts = cells.map((c, i) => pad(c, i));
    if (note !== null && note !== undefined) parts.push(note);
    return parts.join('  ').replace(/\s+$/, '');
  };
  const out = [line(columns.map((c) => c.title), null), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of norm) out.push(line(r.cells, r.note));
  return out.join('\n');
}

/**
 * µs of backend CPU per request, one decimal.
 * @param {unknown} us
 */
function fmtCpu(us) {
  return typeof us === 'number' && Number.isFinite(us) ? us.toFixed(1) : DASH;
}

/** @type {Column[]} */
const COLUMNS = [
  { title: '#', align: 'left' },
  { title: 'id', align: 'left' },
  { title: 'what', align: 'left' },
  { title: 'req/s', align: 'right' },
  { title: 'min–max', align: 'right' },
  { title: 'p50', align: 'right' },
  { title: 'p99', align: 'right' },
  { title: 'errors', align: 'right' },
  { title: 'CPU µs/req', align: 'right' },
  { title: 'PSS MiB', align: 'right' },
  { title: 'other', align: 'right' },
  { title: '/nginx', align: 'right' },
  { title: '/flask', align: 'right' },
];

/**
 * The results table. rows: the row definitions (id, group, what, pssOnly) in order; results:
 * id → {na: 'reason'} | summary (stats.summarize) with `ratios: {nginx, flask}`.
 * @param {Pick<import('./rows').Row, 'group' | 'id' | 'what' | 'pssOnly'>[]} rows
 * @param {Record<string, Result>} results
 */
function resultsTable(rows, results) {
  const body = rows.map((row) => {
    const head = [row.group, row.id, row.what];
    const r = results[row.id];
    if (!r) return { cells: head, note: 'not run' };
    if ('na' in r) return { cells: head, note: `n/a: ${r.na}` };
    if (r.failed === r.passes) return { cells: head, note: `FAILED: ${r.errorsText[0] || 'no pass succeeded'}` };
    if (row.pssOnly) {
      return [...head, DASH, DASH, DASH, DASH, DASH, DASH, `${fmtMiB(r.idlePssKb)} idle`, DASH, DASH, DASH];
    }
    return [
      ...head,
      fmtRps(r.rps),
      fmtSpread(r.rpsSpread),
      fmtMs(r.p50),
      fmtMs(r.p99),
      fmtCount(r.errors) + (r.failed > 0 ? ` (+${r.failed} failed pass${r.failed > 1 ? 'es' : ''})` : ''),
      fmtCpu(r.cpuUsPerReq),
      fmtMiB(r.peakPssKb),
      fmtPct(r.otherMax),
      fmtRatio(r.ratios && r.ratios.nginx),
      fmtRatio(r.ratios && r.ratios.flask),
    ];
  });
  return renderTable(COLUMNS, body);
}

/**
 * A target's value: a ratio with two decimals, or a value target in its unit.
 * @param {unknown} value
 * @param {'MiB' | 'count' | 's' | undefined} unit
 */
function fmtValue(value, unit) {
  if (typeof value !== 'number' || !Number.isFinite(value) || unit === undefined) return fmtRatio(value);
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  return unit === 's' ? `${value} s` : String(value);
}

/**
 * The targets section: one line per target from targets.evaluate().
 * @param {ReturnType<typeof import('./targets').evaluate>} evaluated
 */
function targetsSection(evaluated) {
  const rows = evaluated.map((t) => {
    const goal = t.op ? `${t.op} ${t.goal}` : 'report';
    const status = t.status === 'n/a' ? `n/a (${t.why})` : t.status;
    return [t.label, fmtValue(t.value, t.unit), goal, status];
  });
  return renderTable(
    [
      { title: 'target', align: 'left' },
      { title: 'ratio', align: 'right' },
      { title: 'goal', align: 'left' },
      { title: 'status', align: 'left' },
    ],
    rows,
  );
}

/**
 * One paired round's log line (pure): each row's req/s, its errors, its backend's CPU per
 * request and the other processes' share when at least `otherWarn`; then, indented, the detail
 * of a row whose round failed requests.
 * @param {number} round  0-based
 * @param {number} total
 * @param {import('./paired-run').RoundFigure[]} figures
 * @param {number} otherWarn
 */
function pairedRoundLine(round, total, figures, otherWarn) {
  const parts = figures.map((f) => {
    const errors = f.errors > 0 ? ` (${f.errors} errors)` : '';
    const cpuText = f.cpuUsPerReq === null ? '' : ` ${f.cpuUsPerReq.toFixed(1)} µs`;
    const otherText = f.other !== null && f.other >= otherWarn ? ` other ${fmtPct(f.other)}` : '';
    return `${f.id} ${Math.round(f.rps ?? 0)}${errors}${cpuText}${otherText}`;
  });
  const details = figures.flatMap((f) => (f.detail ? [`\n  ${f.id}: ${f.detail.replace(/\n/g, '\n  ')}`] : []));
  return `[paired ${round + 1}/${total}] ${parts.join(' · ')}${details.join('')}`;
}

/**
 * The paired-rounds section: per target, the median of its rounds' ratios, their range, how many
 * rounds gave one, and the goal's status on the median.
 * @param {ReturnType<typeof import('./paired').evaluatePaired>} evaluated
 */
function pairedSection(evaluated) {
  const rows = evaluated.map((t) => [
    t.label,
    fmtRatio(t.value),
    t.min === null ? DASH : `${fmtRatio(t.min)}–${fmtRatio(t.max)}`,
    `${t.rounds}/${t.of}`,
    t.op ? `${t.op} ${t.goal}` : 'report',
    t.status,
  ]);
  return renderTable(
    [
      { title: 'target', align: 'left' },
      { title: 'median', align: 'right' },
      { title: 'rounds min–max', align: 'right' },
      { title: 'rounds', align: 'right' },
      { title: 'goal', align: 'left' },
      { title: 'status', align: 'left' },
    ],
    rows,
  );
}

/**
 * Group 13's second table: per row, the peak PSS under the load and the idle PSS after it, with
 * the rest it took (a cheaper row rests until it is back at its minimum) and the workers left.
 * @param {Pick<import('./rows').Row, 'id' | 'what'>[]} rows  the rows with idleAfter
 * @param {Record<string, Result>} results
 */
function idleAfterTable(rows, results) {
  const body = rows.map((row) => {
    const r = results[row.id];
    if (!r || 'na' in r || r.failed === r.passes) return { cells: [row.id], note: r && 'na' in r ? `n/a: ${r.na}` : 'no result' };
    return [row.id, fmtMiB(r.peakPssKb), fmtMiB(r.idlePssKb), fmtCount(r.idleWorkers), typeof r.idleWaitS === 'number' ? r.idleWaitS.toFixed(1) : DASH];
  });
  return renderTable(
    [
      { title: 'id', align: 'left' },
      { title: 'peak PSS MiB', align: 'right' },
      { title: 'idle PSS MiB', align: 'right' },
      { title: 'workers', align: 'right' },
      { title: 'rest s', align: 'right' },
    ],
    body,
  );
}

module.exports = {
  fmtCpu, fmtValue, idleAfterTable,
  fmtRps, fmtSpread, fmtMs, fmtMiB, fmtRatio, fmtPct, fmtTop, fmtCount, renderTable, resultsTable, targetsSection, pairedSection, pairedRoundLine, COLUMNS,
};
