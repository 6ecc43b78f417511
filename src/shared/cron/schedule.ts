/**
 * Cron schedules, uWSGI's way and crontab's way, as pure functions: text in, a schedule out;
 * a schedule and a time in, whether it matches and the next time it fires out. The master's
 * `cron = ...` lines and a mule's `ctx.cron(...)` share it.
 *
 * Five fields, MINUTE HOUR DAY MONTH WEEKDAY, each one of:
 * - `-1` or `*`: every value (uWSGI's -1);
 * - `-N` (N > 1): every value divisible by N (uWSGI's meaning: `-5` minutes fire at :00, :05 …,
 *   `-2` days on the 2nd, 4th …, as `uwsgi_cron_task_needs_execution` computes it);
 * - `*\/N`, `A-B`, `A-B/N`, `A`, and comma lists of those: crontab's meaning (`*\/N` steps from
 *   the field's first value: days 1, 1+N …).
 * Weekday 0 and 7 are Sunday. Day and weekday are ORed when both are restricted (neither `*`,
 * `*\/N` nor negative), as in crontab and uWSGI; otherwise both must match. Times are local,
 * as crontab's and uWSGI's are.
 */

export interface CronSchedule {
  /** Allowed values per field: minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6. */
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Both day and weekday restricted: either may match. */
  readonly dayOrWeekday: boolean;
  /** The five fields as written, for log lines and the stats. */
  readonly text: string;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'weekday', min: 0, max: 7 },
];

export type ParsedSchedule = { readonly schedule: CronSchedule } | { readonly problem: string };

/** The five fields (separated by blanks); anything else is a problem naming the field. */
export function parseSchedule(text: string): ParsedSchedule {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') return { problem: `expected 5 fields (MINUTE HOUR DAY MONTH WEEKDAY), got ${parts[0] === '' ? 0 : parts.length}` };
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const parsed = parseField(parts[i], FIELDS[i]);
    if (typeof parsed === 'string') return { problem: `${FIELDS[i].name} "${parts[i]}": ${parsed}` };
    sets.push(parsed);
  }
  const weekdays = sets[4];
  if (weekdays.delete(7)) weekdays.add(0);
  const schedule: CronSchedule = {
    minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays,
    dayOrWeekday: restricted(parts[2]) && restricted(parts[4]),
    text: parts.join(' '),
  };
  if (nextFire(schedule, Date.UTC(2000, 0, 1)) === undefined) return { problem: `${schedule.text} never fires (no such date)` };
  return { schedule };
}

export type ParsedCronLine = { readonly schedule: CronSchedule; readonly command: string } | { readonly problem: string };

/** `MIN HOUR DAY MONTH WEEKDAY COMMAND`: uWSGI's `cron` option. */
export function parseCronLine(text: string): ParsedCronLine {
  const m = /^\s*(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(\S.*)$/.exec(text);
  if (m === null) return { problem: 'expected MINUTE HOUR DAY MONTH WEEKDAY COMMAND' };
  const parsed = parseSchedule(m[1]);
  if ('problem' in parsed) return parsed;
  return { schedule: parsed.schedule, command: m[2].trim() };
}

function restricted(field: string): boolean {
  return !field.startsWith('*') && !field.startsWith('-');
}

function parseField(text: string, f: FieldSpec): Set<number> | string {
  if (/^-\d+$/.test(text)) {
    const n = Number(text.slice(1));
    if (n < 1) return 'a negative value is -1 (every) or -N (every N)';
    return valuesWhere(f, (v) => v % n === 0);
  }
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const problem = addItem(item, f, out);
    if (problem !== undefined) return problem;
  }
  return out;
}

/** One list item: `*`, `*\/N`, `A`, `A-B`, `A-B/N` (or `A/N`: from A to the end). */
function addItem(item: string, f: FieldSpec, out: Set<number>): string | undefined {
  const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
  if (m === null) return `"${item}" is not *, N, A-B, */N or A-B/N`;
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (step < 1) return 'a step must be at least 1';
  const from = m[1] === '*' ? f.min : Number(m[1]);
  const to = m[1] === '*' ? f.max : m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? f.max : from;
  if (m[1] === '*' && m[2] !== undefined) return '"*" takes no range';
  if (from < f.min || to > f.max) return `values go from ${f.min} to ${f.max}`;
  if (from > to) return `range ${from}-${to} goes backwards`;
  for (let v = from; v <= to; v += step) out.add(v);
  return undefined;
}

function valuesWhere(f: FieldSpec, keep: (v: number) => boolean): Set<number> {
  const out = new Set<number>();
  // Weekday 7 is Sunday again: the divisibility test runs over 0-6, as uWSGI's tm_wday.
  const max = f.name === 'weekday' ? 6 : f.max;
  for (let v = f.min; v <= max; v++) if (keep(v)) out.add(v);
  return out;
}

/** True when the minute of local time `d` is one the schedule fires in. */
export function matches(s: CronSchedule, d: Date): boolean {
  return s.minutes.has(d.getMinutes()) && s.hours.has(d.getHours()) && s.months.has(d.getMonth() + 1) && dayMatches(s, d);
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const day = s.days.has(d.getDate());
  const weekday = s.weekdays.has(d.getDay());
  return s.dayOrWeekday ? day || weekday : day && weekday;
}

/** Enough to find Feb 29 on a given weekday (every 28 years) with room to spare. */
const SEARCH_YEARS = 30;

/**
 * The first whole minute strictly after `afterMs` (ms since epoch) that the schedule fires in,
 * or undefined when none comes within 30 years. Skips whole months, days and hours that cannot
 * match, so it costs at most a few thousand steps.
 */
export function nextFire(s: CronSchedule, afterMs: number): number | undefined {
  const start = new Date(afterMs);
  let d = new Date(start.getFullYear(), start.getMonth(), start.getDate(), start.getHours(), start.getMinutes() + 1);
  const limit = new Date(start.getFullYear() + SEARCH_YEARS, start.getMonth(), 1).getTime();
  while (d.getTime() < limit) {
    if (!s.months.has(d.getMonth() + 1)) d = new Date(d.getFullYear(), d.getMonth() + 1, 1);
    else if (!dayMatches(s, d)) d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
    else if (!s.hours.has(d.getHours())) d = new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours() + 1);
    else if (!s.minutes.has(d.getMinutes())) d = new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes() + 1);
    else return d.getTime();
  }
  return undefined;
}
