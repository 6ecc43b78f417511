/**
 * The master without processes: the real handlers, wanted state, worker table and reconcile
 * step, driven by events the test posts and a clock it moves. Forks "succeed" with made-up
 * pids (or fail, when `forkFails` is set, with the spawn-failed event the real shell posts);
 * every action reconcile performs is recorded, as is every log line.
 */
import type { Config } from '../../../src/shared/config';
import type { Logger } from '../../../src/shared/logger';
import type { MasterEvent } from '../../../src/master/events';
import { eventHandler } from '../../../src/master/handlers';
import type { MasterContext } from '../../../src/master/master-context';
import { converge, type Acted } from '../../../src/master/converge';
import type { Action } from '../../../src/master/reconcile';
import { DaemonTable, type DaemonRecord } from '../../../src/master/daemons/daemon-table';
import type { DaemonAction } from '../../../src/master/daemons/reconcile-daemons';
import { initialWanted, type Wanted } from '../../../src/master/wanted';
import { WorkerTable, type WorkerRecord } from '../../../src/master/worker-table';
import type { Companions } from '../../../src/master/companions';
import type { MuleMessageFrom } from '../../../src/master/events';
import { MuleTable, type MuleRecord } from '../../../src/master/mules/mule-table';
import { CronTable, type CronJob } from '../../../src/master/cron/cron-table';
import { cronClock } from '../../../src/shared/cron/clock';
import type { MuleAck } from '../../../src/shared/mules/ipc';

export type Line = Record<string, unknown> & { level: string; msg: string };

export function testConfig(over: Partial<Config> = {}): Config {
  return Object.freeze({
    processes: 2, threads: 1, workerReloadMercy: 60, needApp: true, harakiri: 0, logReopen: false, cheaper: 0,
    attachDaemon: [], smartAttachDaemon: [], attachDaemon2: [],
    mules: [], muleMsgSize: 65536, muleQueue: 1000, cron: [], ...over,
  }) as unknown as Config;
}

function captureLogger(lines: Line[]): Logger {
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ ...obj, level, msg });
  return { info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), debug: at('debug') } as unknown as Logger;
}

export class MasterSim {
  readonly wanted: Wanted;
  readonly table = new WorkerTable();
  readonly daemons = new DaemonTable();
  /** Smart daemons' pidfiles as the sim's world has them: the live pid each names. */
  readonly pidfiles = new Map<string, number>();
  readonly companions: Companions;
  /** Answers to mules.send, as the shell would send them. */
  readonly muleAnswers: { to: MuleMessageFrom; ack: MuleAck }[] = [];
  /** Messages handed to mules (mule-deliver), by mule id. */
  readonly muleSent: { mule: number; payload: string }[] = [];
  readonly lines: Line[] = [];
  /** What reconcile did, one line per action (see `describeAction`). */
  readonly performed: string[] = [];
  readonly stderr: string[] = [];
  now = 1_000_000;
  wakeAt: number | undefined;
  exited = false;
  /** While set, every fork fails (ENOENT, as a chdir swapped away). */
  forkFails = false;
  /** What the next reload re-reads (an Error: it cannot be read). */
  reread: Config | Error | undefined;
  private nextPid = 100;
  private readonly queue: MasterEvent[] = [];
  private readonly handle: (e: MasterEvent) => void;

  constructor(config: Partial<Config> = {}) {
    this.wanted = initialWanted(testConfig(config));
    this.companions = { mules: new MuleTable(), crons: new CronTable(this.wanted.config.cron, cronClock({}), this.now) };
    const ctx: MasterContext = {
      wanted: this.wanted, table: this.table, daemons: this.daemons, companions: this.companions, log: captureLogger(this.lines), now: () => this.now,
      io: {
        reread: () => {
          if (this.reread instanceof Error) throw this.reread;
          return this.reread ?? this.wanted.config;
        },
        reopenLogs: () => undefined,
        sendSockets: () => undefined,
        startReport: () => undefined,
        answerReport: () => undefined,
        expireReport: () => undefined,
        stderr: (text) => void this.stderr.push(text),
        answerMule: (to, ack) => void this.muleAnswers.push({ to, ack }),
      },
    };
    this.handle = eventHandler(ctx);
  }

  /** The first reconcile, as the master's start runs it. */
  boot(): string[] {
    const before = this.performed.length;
    this.settle();
    return this.performed.slice(before);
  }

  /** Posts an event and runs the queue dry (each event handled, then reconciled); the actions. */
  post(e: MasterEvent): string[] {
    const before = this.performed.length;
    this.queue.push(e);
    let next: MasterEvent | undefined;
    while ((next = this.queue.shift()) !== undefined) {
      this.handle(next);
      this.settle();
    }
    return this.performed.slice(before);
  }

  /** Moves the clock; a tick is posted when the wake-up time has come (as the timer does). */
  advance(ms: number): string[] {
    this.now += ms;
    return this.wakeAt !== undefined && this.wakeAt <= this.now ? this.post({ kind: 'tick' }) : [];
  }

  command(command: string): string[] {
    return this.post({ kind: 'command', command, source: 'test' });
  }

  signal(name: NodeJS.Signals): string[] {
    return this.post({ kind: 'signal', name });
  }

  ready(r: WorkerRecord): string[] {
    return this.post({ kind: 'worker-ready', key: r.key, pid: r.pid as number });
  }

  /** Every record not accepting yet reports ready (a boot, a graceful reload's new ones). */
  allReady(): string[] {
    const actions: string[] = [];
    for (const r of this.table.all()) if (!r.ready && r.pid !== undefined && r.role !== 'retiring') actions.push(...this.ready(r));
    return actions;
  }

  exit(r: WorkerRecord, code: number | null = 1, signal: NodeJS.Signals | null = null): string[] {
    return this.post({ kind: 'worker-exit', key: r.key, pid: r.pid as number, code, signal });
  }

  /** Every retiring worker finishes draining and exits 0. */
  retiredExit(): string[] {
    const actions: string[] = [];
    for (const r of this.table.inRole('retiring')) actions.push(...this.exit(r, 0));
    return actions;
  }

  appFailed(r: WorkerRecord, message = 'this app cannot load'): string[] {
    return this.post({ kind: 'worker-app-failed', key: r.key, pid: r.pid as number, code: 'E_APP_LOAD', message });
  }

  recycle(r: WorkerRecord, reason = 'max-requests'): string[] {
    return this.post({ kind: 'worker-recycle', key: r.key, pid: r.pid as number, reason, detail: {} });
  }

  /** The mule record for `id` that is not stopping (or the stopping one, when asked). */
  mule(id: number, retiring = false): MuleRecord {
    const r = this.companions.mules.all().find((m) => m.id === id && m.retiring === retiring);
    if (r === undefined) throw new Error(`no ${retiring ? 'retiring ' : ''}mule ${id}: ${JSON.stringify(this.companions.mules.all())}`);
    return r;
  }

  muleReady(id: number): string[] {
    const r = this.mule(id);
    return this.post({ kind: 'mule-ready', key: r.key, pid: r.pid as number });
  }

  /** Mule `id` starts on its oldest message. */
  muleTake(id: number, retiring = false): string[] {
    const r = this.mule(id, retiring);
    return this.post({ kind: 'mule-taken', key: r.key, pid: r.pid as number });
  }

  /** Mule `id` takes its oldest message (unless it has one in hand) and handles it. */
  muleDone(id: number, retiring = false): string[] {
    const r = this.mule(id, retiring);
    const box = this.companions.mules.mailbox(id) as unknown as { inHand: boolean };
    const took = box.inHand ? [] : this.muleTake(id, retiring);
    return [...took, ...this.post({ kind: 'mule-done', key: r.key, pid: r.pid as number })];
  }

  muleExit(r: MuleRecord, code: number | null = 1, signal: NodeJS.Signals | null = null): string[] {
    return this.post({ kind: 'mule-exit', key: r.key, pid: r.pid as number, code, signal });
  }

  /** mules.send from the first worker with a process (thread 0), with `seq`; the answer lands in muleAnswers. */
  sendToMule(mule: number, payload: string, seq = 1): string[] {
    const w = this.table.all().find((r) => r.pid !== undefined);
    if (w === undefined) throw new Error('no worker process to send from');
    return this.post({ kind: 'mule-msg', from: { worker: w.key, thread: 0 }, pid: w.pid as number, seq, mule, payload });
  }

  cronExit(id: number, code: number | null = 0, signal: NodeJS.Signals | null = null): string[] {
    const j = this.companions.crons.get(id) as CronJob;
    return this.post({ kind: 'cron-exit', job: id, pid: j.pid as number, code, signal });
  }

  /** The record for worker `id` in `role` (the first, by generation). */
  worker(id: number, role: WorkerRecord['role'] = 'active'): WorkerRecord {
    const r = this.table.all().find((w) => w.id === id && w.role === role);
    if (r === undefined) throw new Error(`no ${role} worker ${id}: ${JSON.stringify(this.table.all())}`);
    return r;
  }

  /** A started master whose workers all accept. */
  static running(config: Partial<Config> = {}): MasterSim {
    const sim = new MasterSim(config);
    sim.boot();
    sim.allReady();
    return sim;
  }

  events(name: string): Line[] {
    return this.lines.filter((l) => l.event === name);
  }

  /** Active workers as `id:generation`, by id. */
  serving(): string[] {
    return this.table.inRole('active').map((r) => `${r.id}:${r.generation}`);
  }

  private settle(): void {
    this.wakeAt = converge(this.wanted, this.table, this.now, (a, r) => this.perform(a, r), this.daemons, (a, r) => this.performDaemon(a, r), this.companions);
  }

  /** Daemon processes "start" with made-up pids; a pidfile read answers from `pidfiles`. */
  private performDaemon(a: DaemonAction, r: DaemonRecord | undefined): void {
    this.performed.push(describeDaemonAction(a, r));
    if (r === undefined) return;
    if (a.do === 'daemon-start') {
      r.child = ++this.nextPid;
      r.pid = r.child;
    }
    if (a.do === 'daemon-check') this.queue.push({ kind: 'daemon-pidfile', key: r.key, pid: this.pidfiles.get(r.spec.pidfile as string) });
  }

  /** Daemon `id` (1-based place in the configuration's list), the one not stopping. */
  daemon(id: number): DaemonRecord {
    const r = this.daemons.all().find((d) => d.id === id && d.stopping === undefined) ?? this.daemons.all().find((d) => d.id === id);
    if (r === undefined) throw new Error(`no daemon ${id}: ${JSON.stringify(this.daemons.all())}`);
    return r;
  }

  /** The daemon's (child) process exits. */
  daemonExit(r: DaemonRecord, code: number | null = 1, signal: NodeJS.Signals | null = null): string[] {
    return this.post({ kind: 'daemon-exit', key: r.key, pid: r.child as number, code, signal });
  }

  private perform(a: Action, acted: Acted): void {
    this.performed.push(describeAction(a, acted));
    if (a.do === 'exit') this.exited = true;
    if (a.do === 'mule-spawn' || a.do === 'mule-respawn') {
      (acted as MuleRecord).pid = ++this.nextPid;
      return;
    }
    if (a.do === 'mule-deliver') {
      const m = acted as MuleRecord;
      for (const payload of m.outbox.splice(0)) this.muleSent.push({ mule: m.id, payload });
      return;
    }
    if (a.do === 'cron-run') {
      (acted as CronJob).pid = ++this.nextPid;
      return;
    }
    const r = acted as WorkerRecord | undefined;
    if ((a.do !== 'spawn' && a.do !== 'respawn') || r === undefined) return;
    if (this.forkFails) {
      this.queue.push({ kind: 'worker-spawn-failed', key: r.key, code: 'ENOENT', message: 'chdir /srv/app does not exist' });
      return;
    }
    r.pid = ++this.nextPid;
    r.spawnFailures = 0;
  }
}

/** A daemon's action as a test reads it: what, to which daemon id (and generation). */
export function describeDaemonAction(a: DaemonAction, r: DaemonRecord | undefined): string {
  if (a.do === 'daemon-add') return `daemon-add d${a.id} g${a.generation}`;
  const who = r === undefined ? '?' : `d${r.id} g${r.generation}`;
  return a.do === 'daemon-stop' || a.do === 'daemon-forget' ? `${a.do} ${who} (${a.why})` : `${a.do} ${who}`;
}

/** One action as a test reads it: what, to which worker, mule or cron job id (and generation). */
export function describeAction(a: Action, acted: Acted): string {
  const r = acted as { id: number; generation?: number } | undefined;
  // Mules and cron jobs by id alone; workers by id and generation.
  const who = r === undefined ? '?' : r.generation !== undefined && !a.do.startsWith('mule-') ? `${r.id} g${r.generation}` : `${r.id}`;
  switch (a.do) {
    case 'mule-spawn':
      return `mule-spawn ${a.id} g${a.generation}`;
    case 'mule-kill':
      return `mule-kill ${who} (${a.why})`;
    case 'mule-deliver':
      return `mule-deliver ${who} x${a.count}`;
    case 'spawn':
      return `spawn ${a.id} g${a.generation} ${a.role}${a.replaces !== undefined ? ' (recycle)' : ''}`;
    case 'kill':
      return `kill ${who} (${a.why})`;
    case 'announce-ready':
      return 'ready';
    case 'reload-switched':
      return 'switched';
    case 'reload-finished':
      return `finished ${a.reload.kind}`;
    case 'exit':
      return 'exit';
    default:
      return `${a.do} ${who}`;
  }
}
