/**
 * An Emperor started from the real bin/tsuwsgi on a temp vassal directory, its stats document,
 * and the process trees under it (read from /proc) so that tests can check pids and leave no
 * orphan behind: `killTree` SIGKILLs every process a test saw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, ServerProcess, writeIni, type IniValues, type LogLine } from './server';
import { readStatsRaw } from './stats';
import { isAlive, waitUntil } from './wait';
import type { EmperorDocument, VassalEntry } from '../../src/emperor/emperor-stats';

export interface EmperorRun {
  readonly emperor: ServerProcess;
  readonly dir: string;
  readonly vassals: string;
  readonly stats: string;
  doc(): Promise<EmperorDocument>;
  vassal(name: string): Promise<VassalEntry | undefined>;
  /** Waits until the vassal's entry satisfies `ok` (its state, pid ...). */
  waitVassal(name: string, what: string, ok: (v: VassalEntry) => boolean, timeoutMs?: number): Promise<VassalEntry>;
  /** Emperor log lines about one vassal file. */
  events(name: string, event: string): LogLine[];
}

/**
 * `dir` holds `vassals/` (mode 0755) and the Emperor's stats socket. `bin`: another install's
 * bin/tsuwsgi (the vassals then run that install too).
 */
export function startEmperor(dir: string, args: string[] = [], opts: { bin?: string; node?: string } = {}): EmperorRun {
  const vassals = path.join(dir, 'vassals');
  fs.mkdirSync(vassals, { recursive: true, mode: 0o755 });
  fs.chmodSync(vassals, 0o755);
  const stats = path.join(dir, 'emperor.stats');
  const child = spawn(opts.node ?? process.execPath, [opts.bin ?? BIN, '--emperor', vassals, '--emperor-stats', stats, ...args], {
    cwd: dir,
    env: { ...process.env, TSUWSGI_LOG_JSON: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const emperor = new ServerProcess(child, dir, '');
  seen.add(emperor.pid);
  const doc = async (): Promise<EmperorDocument> => JSON.parse(await readStatsRaw({ path: stats })) as EmperorDocument;
  const vassal = async (name: string): Promise<VassalEntry | undefined> => (await doc()).vassals.find((v) => v.id === name);
  return {
    emperor, dir, vassals, stats, doc, vassal,
    waitVassal: (name, what, ok, timeoutMs = 20_000) =>
      waitUntil(`vassal ${name}: ${what}`, async () => {
        if (emperor.exit) throw new Error(`the Emperor exited (${JSON.stringify(emperor.exit)}): ${emperor.stderr.join('\n')}`);
        if (!fs.existsSync(stats)) return undefined;
        const v = await vassal(name).catch(() => undefined);
        if (v !== undefined) for (const pid of processTree(v.pid)) seen.add(pid);
        return v !== undefined && ok(v) ? v : undefined;
      }, timeoutMs, 50),
    events: (name, event) => emperor.events(event).filter((l) => l.role === 'emperor' && String(l.vassal).endsWith(`/${name}`)),
  };
}

export function writeVassal(run: Pick<EmperorRun, 'vassals'>, name: string, values: IniValues): string {
  const file = writeIni(run.vassals, values, name);
  fs.chmodSync(file, 0o644);
  return file;
}

/** `pid` and every descendant, from /proc (empty when it is gone). */
export function processTree(pid: number): number[] {
  if (pid <= 0 || !isAlive(pid)) return [];
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone meanwhile
  }
  // Masters and workers only: a master also runs short-lived helpers (a vassal's sd_notify
  // client, node itself, at READY and RELOADING; cron commands)
  // that would make the tree's size a matter of timing. Between its fork and its exec such a
  // helper still shows its parent's command line: a child with the parent's is one of those.
  const own = cmdline(pid);
  return [pid, ...children.filter((c) => isServerProcess(c) && cmdline(c) !== own).flatMap(processTree)];
}

function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return undefined;
  }
}

function isServerProcess(pid: number): boolean {
  const text = cmdline(pid);
  if (text === undefined) return false;
  const argv = text.split('\0');
  // This node, or the link to it that processes run as nobody use (nobody-install.ts).
  const node = argv[0] === process.execPath || path.basename(argv[0] ?? '') === 'node';
  return node && !(argv[1] ?? '').endsWith('notify-client.js');
}

/**
 * Every process seen under an Emperor by these helpers, by pid and start time (so that a pid
 * the kernel has given to another process since is never signalled), for the after-hook.
 */
const seen = {
  procs: new Map<number, string>(),
  add(pid: number): void {
    const start = startTimeOf(pid);
    if (start !== undefined) this.procs.set(pid, start);
  },
};

export function rememberTree(pid: number): number[] {
  const tree = processTree(pid);
  for (const p of tree) seen.add(p);
  return tree;
}

/** SIGKILLs whatever is left of the processes seen (a failed test's Emperor and vassals). */
export function killSeen(): void {
  for (const [pid, start] of seen.procs) {
    if (startTimeOf(pid) !== start) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  seen.procs.clear();
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The uid and gid a process runs as (real ids, from /proc/PID/status). */
export function idsOf(pid: number): { uid: number; gid: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
  return { uid, gid };
}

/** `tsuwsgi ARGS` to completion (bounded), e.g. `top ADDRESS` as a snapshot (stdout is a pipe). */
export function runCli(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsuwsgi ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
