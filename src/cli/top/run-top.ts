/**
 * `tsuwsgi top ADDRESS [--sort KEY] [--vassal NAME]`: a live view of a running server from its
 * stats address, like uwsgitop, or of an Emperor from its emperor-stats address (a row per
 * vassal; `--vassal NAME` opens that vassal's own stats address instead). On a terminal:
 * alternate screen, raw keys, a redraw every second, sort keys, `q` (or Ctrl-C) restores the
 * terminal and exits 0. Not a terminal: one plain snapshot.
 */
import { TsuwsgiError } from '../../shared/errors';
import type { StatsDocument } from '../../shared/stats-document';
import type { EmperorDocument } from '../../emperor/emperor-stats';
import { readDocument, readStats } from './read-stats';
import { requestRates } from './rates';
import { isSortKey, renderScreen, type SortKey } from './screen';
import { renderEmperorScreen, vassalStatsAddress } from './emperor-screen';

const REFRESH_MS = 1000;
const QUIT_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
const USAGE = 'usage: tsuwsgi top ADDRESS [--sort w|p|r|a|m] [--vassal NAME]   (ADDRESS: HOST:PORT, :PORT, a unix socket path, or http://HOST:PORT with stats-http; an Emperor\'s emperor-stats address shows its vassals, --vassal NAME one vassal\'s workers)';

export interface TopArgs {
  readonly address: string;
  readonly sort: SortKey;
  /** With an Emperor's address: show this vassal's own stats. */
  readonly vassal?: string;
}

export function parseTopArgs(argv: readonly string[]): TopArgs | 'help' {
  let address: string | undefined;
  let sort: SortKey = 'w';
  let vassal: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--sort' || a.startsWith('--sort=')) {
      const key = a.includes('=') ? a.slice(7) : argv[++i];
      if (key === undefined || !isSortKey(key)) throw new TsuwsgiError('E_CLI_USAGE', `command line: --sort takes one of w p r a m, got ${JSON.stringify(key ?? '')}`);
      sort = key;
    } else if (a === '--vassal' || a.startsWith('--vassal=')) {
      vassal = a.includes('=') ? a.slice(9) : argv[++i];
      if (!vassal) throw new TsuwsgiError('E_CLI_USAGE', 'command line: --vassal takes a vassal\'s file name');
    } else if (a.startsWith('-')) {
      throw new TsuwsgiError('E_CLI_USAGE', `command line: unknown option ${a} for tsuwsgi top; ${USAGE}`);
    } else if (address === undefined) {
      address = a;
    } else {
      throw new TsuwsgiError('E_CLI_USAGE', `command line: tsuwsgi top takes one address, got ${JSON.stringify(a)} too`);
    }
  }
  if (address === undefined) throw new TsuwsgiError('E_CLI_USAGE', `command line: ${USAGE}`);
  return vassal === undefined ? { address, sort } : { address, sort, vassal };
}

export const TOP_USAGE = USAGE;

/** What one screen shows: how to read its document, draw it, and take keys. */
interface View<T> {
  read(): Promise<T>;
  render(cur: Sample<T>, prev: Sample<T> | undefined, width: number, live: boolean, error?: string): string[];
  /** A key this view takes (true: redraw). */
  key(key: string): boolean;
}

interface Sample<T> {
  readonly doc: T;
  readonly at: number;
}

export async function runTop(args: TopArgs, out: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin): Promise<void> {
  const first = await readDocument(args.address);
  if (first.kind === 'emperor') {
    if (args.vassal === undefined) return show(emperorView(args.address), { doc: first.doc, at: Date.now() }, out, input);
    const address = vassalStatsAddress(first.doc, args.vassal);
    if (typeof address !== 'string') throw new TsuwsgiError('E_TOP_READ', `emperor-stats ${args.address}: ${address.problem}`);
    return runTop({ address, sort: args.sort }, out, input);
  }
  if (args.vassal !== undefined) throw new TsuwsgiError('E_CLI_USAGE', `command line: --vassal needs an Emperor's emperor-stats address; ${args.address} is a server's`);
  return show(masterView(args), { doc: first.doc, at: Date.now() }, out, input);
}

function masterView(args: TopArgs): View<StatsDocument> {
  let sort = args.sort;
  return {
    read: () => readStats(args.address),
    render: (cur, prev, width, live, error) =>
      renderScreen({ doc: cur.doc, rates: requestRates(prev, cur), sort, width, now: Date.now(), live, error }),
    key: (key) => {
      if (!isSortKey(key)) return false;
      sort = key;
      return true;
    },
  };
}

function emperorView(address: string): View<EmperorDocument> {
  return {
    read: async () => {
      const read = await readDocument(address);
      if (read.kind !== 'emperor') throw new TsuwsgiError('E_TOP_READ', `stats ${address}: no longer an Emperor's document`);
      return read.doc;
    },
    render: (cur, _prev, width, live, error) => renderEmperorScreen(cur.doc, { width, now: Date.now(), live, error }),
    key: () => false,
  };
}

async function show<T>(view: View<T>, first: Sample<T>, out: NodeJS.WriteStream, input: NodeJS.ReadStream): Promise<void> {
  if (!out.isTTY || !input.isTTY) {
    out.write(`${view.render(first, undefined, 200, false).join('\n')}\n`);
    return;
  }
  await live(view, first, out, input);
}

function live<T>(view: View<T>, first: Sample<T>, out: NodeJS.WriteStream, input: NodeJS.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    let prev: Sample<T> | undefined;
    let cur = first;
    let error: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const draw = (): void => {
      const lines = view.render(cur, prev, out.columns || 80, true, error);
      out.write(`\x1b[H\x1b[2J${lines.slice(0, Math.max(1, (out.rows || 24) - 1)).join('\r\n')}`);
    };
    const refresh = async (): Promise<void> => {
      try {
        const next = { doc: await view.read(), at: Date.now() };
        prev = cur;
        cur = next;
        error = undefined;
      } catch (err) {
        error = (err as Error).message;
      }
      if (timer === undefined) return;
      draw();
      timer = setTimeout(() => void refresh(), REFRESH_MS);
    };
    const quit = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      input.setRawMode(false);
      input.pause();
      input.off('data', onKey);
      out.off('resize', draw);
      for (const sig of QUIT_SIGNALS) process.off(sig, quit);
      out.write('\x1b[?25h\x1b[?1049l');
      resolve();
    };
    const onKey = (data: Buffer): void => {
      const key = data.toString('utf8');
      if (key === 'q' || key === '\x03') return quit();
      if (view.key(key)) draw();
    };
    out.write('\x1b[?1049h\x1b[?25l');
    input.setRawMode(true);
    input.resume();
    input.on('data', onKey);
    out.on('resize', draw);
    // Killed or hung up: give the terminal back before leaving.
    for (const sig of QUIT_SIGNALS) process.on(sig, quit);
    draw();
    timer = setTimeout(() => void refresh(), REFRESH_MS);
  });
}
