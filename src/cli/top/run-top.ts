/**
 * `tsuwsgi top ADDRESS [--sort KEY]`: a live view of a running server from its stats address,
 * like uwsgitop. On a terminal: alternate screen, raw keys, a redraw every second, sort keys,
 * `q` (or Ctrl-C) restores the terminal and exits 0. Not a terminal: one plain snapshot.
 */
import { TsuwsgiError } from '../../shared/errors';
import { readStats } from './read-stats';
import { requestRates, type Sample } from './rates';
import { isSortKey, renderScreen, type SortKey } from './screen';

const REFRESH_MS = 1000;
const QUIT_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
const USAGE = 'usage: tsuwsgi top ADDRESS [--sort w|p|r|a|m]   (ADDRESS: HOST:PORT, :PORT, a unix socket path, or http://HOST:PORT with stats-http)';

export interface TopArgs {
  readonly address: string;
  readonly sort: SortKey;
}

export function parseTopArgs(argv: readonly string[]): TopArgs | 'help' {
  let address: string | undefined;
  let sort: SortKey = 'w';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--sort' || a.startsWith('--sort=')) {
      const key = a.includes('=') ? a.slice(7) : argv[++i];
      if (key === undefined || !isSortKey(key)) throw new TsuwsgiError('E_CLI_USAGE', `command line: --sort takes one of w p r a m, got ${JSON.stringify(key ?? '')}`);
      sort = key;
    } else if (a.startsWith('-')) {
      throw new TsuwsgiError('E_CLI_USAGE', `command line: unknown option ${a} for tsuwsgi top; ${USAGE}`);
    } else if (address === undefined) {
      address = a;
    } else {
      throw new TsuwsgiError('E_CLI_USAGE', `command line: tsuwsgi top takes one address, got ${JSON.stringify(a)} too`);
    }
  }
  if (address === undefined) throw new TsuwsgiError('E_CLI_USAGE', `command line: ${USAGE}`);
  return { address, sort };
}

export const TOP_USAGE = USAGE;

export async function runTop(args: TopArgs, out: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin): Promise<void> {
  const first: Sample = { doc: await readStats(args.address), at: Date.now() };
  if (!out.isTTY || !input.isTTY) {
    const lines = renderScreen({ doc: first.doc, rates: requestRates(undefined, first), sort: args.sort, width: 200, now: first.at, live: false });
    out.write(`${lines.join('\n')}\n`);
    return;
  }
  await live(args, first, out, input);
}

function live(args: TopArgs, first: Sample, out: NodeJS.WriteStream, input: NodeJS.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    let sort = args.sort;
    let prev: Sample | undefined;
    let cur = first;
    let error: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const draw = (): void => {
      const lines = renderScreen({ doc: cur.doc, rates: requestRates(prev, cur), sort, width: out.columns || 80, now: Date.now(), live: true, error });
      out.write(`\x1b[H\x1b[2J${lines.slice(0, Math.max(1, (out.rows || 24) - 1)).join('\r\n')}`);
    };
    const refresh = async (): Promise<void> => {
      try {
        const next = { doc: await readStats(args.address), at: Date.now() };
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
      if (isSortKey(key)) {
        sort = key;
        draw();
      }
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
