/**
 * `tsuwsgi top` on an Emperor's stats address (emperor-stats): one row per vassal with its
 * state, pid, owner, starts, uptime, last exit, when it starts again and its own stats
 * address, which `--vassal NAME` opens. Pure, and escaped as the worker screen is: the
 * document may come from anything answering on that address.
 */
import type { EmperorDocument, VassalEntry } from '../../emperor/emperor-stats';
import { escapeControls } from '../../shared/text-escape';
import { duration } from './screen';

const COLUMNS = ['VASSAL', 'STATE', 'PID', 'UID', 'STARTS', 'UP', 'LAST EXIT', 'NEXT', 'STATS / STATUS'] as const;
const WIDTHS = [20, 10, 8, 6, 7, 8, 16, 7];

export function renderEmperorScreen(doc: EmperorDocument, opts: { width: number; now: number; live: boolean; error?: string }): string[] {
  const count = new Map<string, number>();
  for (const v of doc.vassals) count.set(v.state, (count.get(v.state) ?? 0) + 1);
  const header = [
    `tsuwsgi emperor ${doc.version}`,
    `pid ${doc.pid}`,
    `up ${duration(opts.now / 1000 - doc.emperor_started)}`,
    `${doc.vassals.length} vassal(s)${count.size === 0 ? '' : `: ${[...count].map(([s, n]) => `${n} ${s}`).join(', ')}`}`,
    doc.emperor_tyrant === 1 ? 'tyrant' : undefined,
  ].filter((x) => x !== undefined);
  const lines = [header.join('  |  '), `watching ${doc.emperor.join(', ')}${opts.live ? '  -  q quit' : ''}  -  one vassal: tsuwsgi top ADDRESS --vassal NAME`];
  if (opts.error !== undefined) lines.push(`! ${opts.error}`);
  lines.push('', row(COLUMNS));
  for (const v of doc.vassals) lines.push(row(cells(v, opts.now)));
  return lines.map((l) => fit(escapeControls(l), opts.width));
}

function cells(v: VassalEntry, now: number): string[] {
  const exit = v.last_exit === null ? '-' : `${v.last_exit.signal ?? `code ${v.last_exit.code}`} ${duration(now / 1000 - v.last_exit.at)} ago`;
  return [
    v.id, v.state, v.pid > 0 ? String(v.pid) : '-', v.uid === null ? '-' : String(v.uid), String(v.starts),
    v.pid > 0 && v.born > 0 ? duration(now / 1000 - v.born) : '-', exit,
    v.next_start_in_ms === null ? '-' : `${(v.next_start_in_ms / 1000).toFixed(1)}s`,
    [v.stats ?? '', v.reason ?? v.status ?? ''].filter((x) => x !== '').join('  '),
  ];
}

/** The vassal's stats address for --vassal NAME (its file name or path). */
export function vassalStatsAddress(doc: EmperorDocument, name: string): string | { problem: string } {
  const v = doc.vassals.find((x) => x.id === name || x.config === name);
  if (v === undefined) return { problem: `no vassal ${JSON.stringify(name)} (vassals: ${doc.vassals.map((x) => x.id).join(', ') || 'none'})` };
  if (v.stats === null) return { problem: `vassal ${v.id} has no stats address (set stats in its file, or in a vassals-include)` };
  return v.stats;
}

function row(cells: readonly string[]): string {
  return cells.map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]) : c)).join(' ').trimEnd();
}

function fit(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width));
}
