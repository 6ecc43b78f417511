/**
 * `tsuwsgi top`'s screen from one stats document: a header with totals, then a row per worker
 * and, under it, a row per app thread with the request it is running; then a row per attached
 * daemon, per mule and per cron job, when there are any. Pure: document, rates, sort key, width
 * and clock in → lines out.
 *
 * Nothing from the document reaches the terminal raw: the running request's method and URI are
 * escaped as in the logs (nginx's `\xHH`), and every line once more for control characters,
 * since the document may come from any server that answers on the stats address.
 */
import type { StatsDocument, StatsWorker } from '../../shared/stats-document';
import type { StatsDaemon } from '../../shared/stats-document';
import { escapeControls, escapeText } from '../../shared/text-escape';
import type { Rates } from './rates';

export const SORT_KEYS = {
  w: { label: 'worker id', compare: (a: StatsWorker, b: StatsWorker) => a.id - b.id },
  p: { label: 'pid', compare: (a: StatsWorker, b: StatsWorker) => a.pid - b.pid },
  r: { label: 'requests', compare: (a: StatsWorker, b: StatsWorker) => b.requests - a.requests },
  a: { label: 'avg response time', compare: (a: StatsWorker, b: StatsWorker) => b.avg_rt - a.avg_rt },
  m: { label: 'memory (RSS)', compare: (a: StatsWorker, b: StatsWorker) => b.rss - a.rss },
} as const;
export type SortKey = keyof typeof SORT_KEYS;

export function isSortKey(key: string): key is SortKey {
  return Object.prototype.hasOwnProperty.call(SORT_KEYS, key);
}

export interface ScreenInput {
  readonly doc: StatsDocument;
  readonly rates: Rates;
  readonly sort: SortKey;
  readonly width: number;
  /** ms since epoch. */
  readonly now: number;
  /** Live mode shows the keys; a snapshot does not. */
  readonly live: boolean;
  /** A failed refresh, shown under the header (the figures are then the last ones read). */
  readonly error?: string;
}

const COLUMNS = ['WID', 'PID', 'STATUS', 'REQ', 'REQ/S', 'AVG ms', 'RSS MiB', 'RS', 'HK', 'EXC', 'TX', 'REQUEST'] as const;
const WIDTHS = [6, 8, 7, 9, 8, 8, 8, 4, 4, 5, 9];

export function renderScreen(input: ScreenInput): string[] {
  const { doc, rates, now } = input;
  const maxQueue = doc.sockets.reduce((n, s) => n + s.max_queue, 0);
  const started = typeof doc.master_started === 'number' ? doc.master_started : undefined;
  const header = [
    `tsuwsgi ${doc.version}`,
    `master ${doc.pid}`,
    started === undefined ? undefined : `up ${duration(now / 1000 - started)}`,
    `${doc.workers.length} worker(s)`,
    `req/s ${rates.total === undefined ? '-' : rates.total.toFixed(1)}`,
    `in flight ${doc.load}`,
    `listen queue ${doc.listen_queue}/${maxQueue}`,
    `full ${doc.listen_queue_errors}`,
  ].filter((x) => x !== undefined);
  const lines = [header.join('  |  ')];
  lines.push(
    input.live ? `sorted by ${SORT_KEYS[input.sort].label}  -  keys: w id, p pid, r requests, a avg time, m memory, q quit` : `sorted by ${SORT_KEYS[input.sort].label}`,
  );
  if (input.error !== undefined) lines.push(`! ${input.error}`);
  lines.push('', row(COLUMNS));
  for (const w of [...doc.workers].sort(SORT_KEYS[input.sort].compare)) {
    const rate = rates.byPid.get(w.pid);
    lines.push(
      row([
        String(w.id), String(w.pid), w.status, String(w.requests), rate === undefined ? '-' : rate.toFixed(1),
        millis(w.avg_rt), (w.rss / 1048576).toFixed(1), String(w.respawn_count), String(w.harakiri_count),
        String(w.exceptions), bytes(w.tx), '',
      ]),
    );
    for (const c of w.cores) {
      const uri = varOf(c.vars, 'REQUEST_URI');
      const method = varOf(c.vars, 'REQUEST_METHOD');
      const start = c.req_info.request_start;
      const current =
        c.in_request === 1 && uri !== undefined ? `${escapeText(method ?? '')} ${escapeText(uri)} (${start === undefined ? '?' : duration(now / 1000 - start)})` : '';
      const coreRate = rates.byCore.get(`${w.pid}.${c.id}`);
      lines.push(row([`  ${w.id}.${c.id}`, '', c.in_request === 1 ? 'busy' : 'idle', String(c.requests), coreRate === undefined ? '' : coreRate.toFixed(1), '', '', '', '', '', '', current]));
    }
  }
  lines.push(...daemonRows(doc.daemons ?? []), ...companionLines(doc, now));
  return lines.map((l) => fit(escapeControls(l), input.width));
}

const DAEMON_COLUMNS = ['DAEMON', 'PID', 'STATE', 'STARTS', 'LAST EXIT', 'COMMAND'] as const;
const DAEMON_WIDTHS = [6, 8, 9, 6, 10];

function daemonRows(daemons: readonly StatsDaemon[]): string[] {
  if (daemons.length === 0) return [];
  const cells = (c: readonly string[]): string => c.map((x, i) => (i < DAEMON_WIDTHS.length ? x.padEnd(DAEMON_WIDTHS[i]) : x)).join(' ').trimEnd();
  return ['', cells(DAEMON_COLUMNS), ...daemons.map((d) => {
    const exit = d.last_exit === null ? '-' : d.last_exit.signal ?? `code ${d.last_exit.code}`;
    return cells([`${d.id}${d.smart === 1 ? 's' : ''}`, d.pid > 0 ? String(d.pid) : '-', d.state, String(d.respawns), exit, d.cmd]);
  })];
}

const MULE_COLUMNS = ['MULE', 'PID', 'STATUS', 'QUEUE', 'HANDLED', 'LOST', 'RS', 'MODULE'];
const MULE_WIDTHS = [6, 8, 9, 7, 9, 6, 4];
const CRON_COLUMNS = ['CRON', 'PID', 'RUNS', 'SKIPS', 'FAIL', 'LAST', 'NEXT IN', 'SCHEDULE'];
const CRON_WIDTHS = [6, 8, 6, 6, 5, 5, 8];

/**
 * A row per mule and per cron job, under the workers. A document from a server without them
 * (an older tsuwsgi; uWSGI, whose mules carry only id and pid) shows what it has.
 */
function companionLines(doc: StatsDocument, now: number): string[] {
  const lines: string[] = [];
  const mules = Array.isArray(doc.mules) ? doc.mules : [];
  if (mules.length > 0) lines.push('', row(MULE_COLUMNS, MULE_WIDTHS));
  for (const m of mules) {
    const cells = [String(m.id), String(m.pid), m.status ?? '-', count(m.queue, m.in_hand), count(m.messages), count(m.lost), count(m.respawn_count), escapeText(m.module ?? '')];
    lines.push(row(cells, MULE_WIDTHS));
  }
  const crons = Array.isArray(doc.crons) ? doc.crons : [];
  if (crons.length > 0) lines.push('', row(CRON_COLUMNS, CRON_WIDTHS));
  for (const c of crons) {
    const next = c.next_run > 0 ? duration(c.next_run - now / 1000) : 'never';
    const last = c.last_run === 0 ? '-' : c.last_exit === -1 ? 'sig' : String(c.last_exit);
    const cells = [String(c.id), c.pid > 0 ? String(c.pid) : '-', String(c.runs), String(c.skips), String(c.failures), last, next, escapeText(String(c.schedule))];
    lines.push(row(cells, CRON_WIDTHS));
  }
  return lines;
}

/** The sum, or '-' when the document lacks one of them. */
function count(...parts: unknown[]): string {
  return parts.every((p) => typeof p === 'number') ? String((parts as number[]).reduce((a, b) => a + b, 0)) : '-';
}

function row(cells: readonly string[], widths: readonly number[] = WIDTHS): string {
  return cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join(' ').trimEnd();
}

function varOf(vars: readonly string[], key: string): string | undefined {
  const found = vars.find((v) => v.startsWith(`${key}=`));
  return found === undefined ? undefined : found.slice(key.length + 1);
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** µs → ms, with µs still visible for fast answers (0.012 rather than 0.0). */
function millis(micros: number): string {
  return (micros / 1000).toFixed(micros < 1000 ? 3 : micros < 100_000 ? 2 : 1);
}

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)}K`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)}M`;
  return `${(n / 1073741824).toFixed(1)}G`;
}

function fit(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width));
}
