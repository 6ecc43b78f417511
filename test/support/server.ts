/**
 * Runs the real `bin/tsuwsgi` with a temp ini, collects its output, and stops it by pid.
 * Every server started here is killed in the global after-hook if a test left it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './tmp';
import { waitUntil, isAlive, sleep } from './wait';

export const REPO = path.resolve(__dirname, '..', '..');
export const BIN = path.join(REPO, 'bin', 'tsuwsgi');

export type IniValues = Record<string, string | number | boolean | (string | number)[]>;

export interface LogLine {
  [key: string]: unknown;
  event?: string;
  role?: string;
  msg?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ServerProcess>();

export class ServerProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;

  constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly iniPath: string,
  ) {
    running.add(this);
    const flushOut = collectLines(child.stdout, this.lines);
    const flushErr = collectLines(child.stderr, this.stderr);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        flushOut();
        flushErr();
        this.exit = { code, signal };
        running.delete(this);
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The JSON log lines on stdout; anything else is left out (see unexpectedOutput()). */
  logs(): LogLine[] {
    const parsed: LogLine[] = [];
    for (const l of this.lines) {
      const line = parseLine(l);
      if (line !== undefined) parsed.push(line);
    }
    return parsed;
  }

  events(name: string): LogLine[] {
    return this.logs().filter((l) => l.event === name);
  }

  waitForLog(what: string, match: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return waitUntil(`log line: ${what}`, () => {
      if (this.exit) throw new Error(`server exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n${this.stderr.join('\n')}`);
      return this.logs().find(match);
    }, timeoutMs);
  }

  /**
   * Until SIGUSR1's worker-state lines show `uri` in progress: an app thread has the request
   * and is working on it. What a test must know before it acts on a request "in flight".
   */
  async untilInFlight(uri: string, timeoutMs = 10_000): Promise<void> {
    const seen = this.events('worker-state').length;
    await waitUntil(`${uri} in progress in a worker`, async () => {
      if (this.exit) throw new Error(`server exited (${JSON.stringify(this.exit)}) while waiting for ${uri} in flight`);
      this.child.kill('SIGUSR1');
      await sleep(100);
      return this.events('worker-state').slice(seen).some((l) => JSON.stringify(l.current).includes(uri));
    }, timeoutMs, 0);
  }

  /**
   * What the server wrote that is not a JSON log line: stdout lines that do not parse and every
   * stderr line (blank ones aside). logs() skips them, so a "no errors" check over logs() alone
   * would let a raw stack trace through: such a check asserts this is empty too.
   */
  unexpectedOutput(): string[] {
    const notJson = this.lines.filter((l) => l.trim() !== '' && parseLine(l) === undefined);
    return [...notJson.map((l) => `stdout: ${l}`), ...this.stderr.filter((l) => l.trim() !== '').map((l) => `stderr: ${l}`)];
  }

  /** Resolves with the worker pids once the master says every worker accepts. */
  async ready(timeoutMs = 15_000): Promise<number[]> {
    const line = await this.waitForLog('master ready', (l) => l.event === 'ready', timeoutMs);
    return line.workers as number[];
  }

  /**
   * Current worker pids: the children of the master that run the worker entry, read from /proc
   * (the master also runs short-lived helpers: cron commands, an sd_notify client).
   */
  workerPids(): number[] {
    try {
      return fs
        .readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
        .filter(isWorker);
    } catch {
      return [];
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** SIGKILL the master and every worker it had. */
  kill(): void {
    const workers = this.workerPids();
    if (!this.exit) this.child.kill('SIGKILL');
    for (const pid of workers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function parseLine(l: string): LogLine | undefined {
  try {
    const v: unknown = JSON.parse(l);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

function isWorker(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(WORKER_ENTRY_TAIL);
  } catch {
    // Gone between the two reads: not a worker that is running.
    return false;
  }
}

const WORKER_ENTRY_TAIL = path.join('worker', 'main.js');

/** Splits a stream into lines as they arrive; the returned function adds the unterminated tail. */
function collectLines(stream: NodeJS.ReadableStream | null, into: string[]): () => void {
  let rest = '';
  stream?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() as string;
    into.push(...parts);
  });
  return () => {
    if (rest) into.push(rest);
    rest = '';
  };
}

export function writeIni(dir: string, values: IniValues, name = 'test.ini', section = 'uwsgi'): string {
  const lines = [`[${section}]`];
  for (const [k, v] of Object.entries(values)) {
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k} = ${one}`);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** `node`: the node binary to run the master with (it forks its workers with the same one). */
export function startServer(opts: { ini?: IniValues; iniText?: string; args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string; dir?: string; node?: string } = {}): ServerProcess {
  const dir = opts.dir ?? tempDir();
  let iniPath = '';
  if (opts.iniText !== undefined) {
    iniPath = path.join(dir, 'test.ini');
    fs.writeFileSync(iniPath, opts.iniText);
  } else if (opts.ini !== undefined) {
    iniPath = writeIni(dir, opts.ini);
  }
  const args = [BIN, ...(iniPath ? [iniPath] : []), ...(opts.args ?? [])];
  const child = spawn(opts.node ?? process.execPath, args, {
    cwd: opts.cwd ?? dir,
    env: { ...process.env, TSUWSGI_LOG_JSON: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ServerProcess(child, dir, iniPath);
}

export function fixtureApp(name: string): string {
  return path.join(REPO, 'test', 'fixtures', 'apps', name);
}

export async function killAllServers(): Promise<void> {
  for (const s of [...running]) {
    s.kill();
    await s.exited;
  }
}

export function pickPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
