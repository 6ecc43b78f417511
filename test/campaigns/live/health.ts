/**
 * The server under fuzz and the check run after every batch: same master, same workers, no
 * app thread died, and a good request on every socket kind answered 200.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodePacket } from '../../../src/protocol';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../../support/server';
import { request } from '../../support/http';
import { exchange } from '../../support/uwsgi-client';
import { waitUntil } from '../../support/wait';
import type { Addresses } from './client';

/**
 * Log events that mean a process or thread died. A harakiri counts only when a thread was stuck
 * (stuck: true: the server's own thread spinning would be a bug); a request that merely waited
 * past the limit (a body trickling in under socket-timeout, a response behind a slow one) is
 * answered 504 and is the limit doing its job.
 */
const DEATHS = new Set(['thread-died', 'thread-error', 'worker-exited', 'respawn', 'no-mercy']);
const isDeath = (line: Record<string, unknown>, event: string): boolean =>
  DEATHS.has(event) || (event === 'harakiri' && line.stuck === true);

export interface LiveServer {
  readonly server: ServerProcess;
  readonly to: Addresses;
  readonly logFile: string;
  readonly masterPid: number;
  readonly workers: readonly number[];
}

export async function startLiveServer(dir: string, extraIni: Record<string, string | number> = {}): Promise<LiveServer> {
  const [tcp, http] = [await pickPort(), await pickPort()];
  const to = { unix: path.join(dir, 'fuzz.sock'), tcp, http };
  const logFile = path.join(dir, 'server.log');
  const server = startServer({
    dir,
    ini: {
      socket: [to.unix, `127.0.0.1:${tcp}`],
      'http-socket': `127.0.0.1:${http}`,
      processes: 2, threads: 2,
      'buffer-size': 4096, 'limit-post': 65536, harakiri: 5,
      'wsgi-file': fixtureApp('fuzz-target.js'),
      logto: logFile,
      ...extraIni,
    },
  });
  // With logto, the ready line goes to the file, not to stdout.
  const tail = new LogTail(logFile);
  let ready: Record<string, unknown> | undefined;
  await waitUntil('ready line in the log file', () => {
    if (server.exit !== undefined) throw new Error(`server exited: ${server.stderr.join('\n')}`);
    ready ??= tail.read().find((l) => l.event === 'ready');
    return ready !== undefined;
  }, 30_000);
  const workers = [...(ready!.workers as number[])].sort((a, b) => a - b);
  return { server, to, logFile, masterPid: server.pid, workers };
}

/** The master's children that are workers (it also runs `ss` now and then). */
/** What a process is, for a problem line: its name and command line. */
function describe(pid: number): string {
  try {
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return `${pid} ${comm}: ${cmdline.slice(0, 200)}`;
  } catch {
    return `${pid} gone`;
  }
}

export function workerPids(master: number): number[] {
  let children: number[];
  try {
    children = fs.readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'ss';
    } catch {
      return false;
    }
  }).sort((a, b) => a - b);
}

/** Reads the log file from where the previous call stopped; complete lines only. */
export class LogTail {
  private offset = 0;
  private rest = '';
  constructor(private readonly file: string) {}

  read(): Record<string, unknown>[] {
    if (!fs.existsSync(this.file)) return [];
    const fd = fs.openSync(this.file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const parts = (this.rest + buf.toString('utf8')).split('\n');
      this.rest = parts.pop()!;
      const out: Record<string, unknown>[] = [];
      for (const p of parts) {
        try {
          out.push(JSON.parse(p) as Record<string, unknown>);
        } catch {
          out.push({ event: 'unparsable-log-line', line: p.slice(0, 200) });
        }
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
}

const GOOD_PACKET = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'fuzz.test', CONTENT_LENGTH: '' });

/** A good request on one socket kind: its status, or the error it met. */
export async function goodRequest(kind: keyof Addresses, to: Addresses, timeoutMs: number): Promise<string> {
  try {
    if (kind === 'http') {
      const r = await request(`http://127.0.0.1:${to.http}/`, { timeoutMs });
      return String(r.status);
    }
    const target = kind === 'unix' ? { path: to.unix } : { port: to.tcp };
    const got = await exchange(target, [GOOD_PACKET], { timeoutMs });
    return /^HTTP\/1\.1 (\d{3})/.exec(got.toString('latin1'))?.[1] ?? `no status (${got.length} bytes)`;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface Health {
  problems: string[];
  /** Event name → count, of the log lines read since the previous check. */
  events: Map<string, number>;
}

/** Everything that must hold after a batch; `problems` is empty when it all does. */
export async function checkHealth(live: LiveServer, tail: LogTail, timeoutMs = 5000): Promise<Health> {
  const problems: string[] = [];
  const events = new Map<string, number>();
  if (live.server.exit !== undefined) problems.push(`master exited: ${JSON.stringify(live.server.exit)}`);
  let now = workerPids(live.masterPid);
  // The master forks `ss` for the stats' listen queues: between its fork and its exec the
  // child still carries the master's name. A real change of workers persists; that does not.
  for (let i = 0; i < 20 && now.join(',') !== live.workers.join(','); i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = workerPids(live.masterPid);
  }
  if (now.join(',') !== live.workers.join(',')) {
    problems.push(`worker pids changed: ${live.workers.join(',')} → ${now.join(',') || 'none'} (${now.filter((p) => !live.workers.includes(p)).map(describe).join('; ')})`);
  }
  for (const kind of ['unix', 'tcp', 'http'] as const) {
    const status = await goodRequest(kind, live.to, timeoutMs);
    if (status !== '200') problems.push(`good request on ${kind}: ${status}`);
  }
  for (const line of tail.read()) {
    const e = String(line.event ?? line.msg ?? '?');
    events.set(e, (events.get(e) ?? 0) + 1);
    if (isDeath(line, e) || e === 'unparsable-log-line') problems.push(`log: ${JSON.stringify(line).slice(0, 300)}`);
  }
  return { problems, events };
}
