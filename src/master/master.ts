/**
 * The master: owns the sockets and the pidfile, keeps `processes` workers alive, reloads them
 * without refusing a connection, and turns signals, FIFO commands and worker exits into events
 * handled one at a time by small named handlers.
 *
 * Each worker process has a slot. A slot is `active` (serving; replaced when it dies),
 * `pending` (started by a reload, not accepting yet) or `retiring` (told to drain and exit).
 * The listening sockets stay open in the master throughout, so while generations overlap both
 * accept, and nothing is refused.
 */
import type { ChildProcess, SendHandle } from 'node:child_process';
import type { Config } from '../config/types';
import type { LogHandle } from '../shared/logger';
import type { MasterToWorker } from '../shared/ipc';
import { ExitCode } from '../shared/exit-codes';
import type { EventKind, EventOf, MasterEvent } from './events';
import { bindAll, type BoundSocket } from './sockets';
import { writePidfile } from './pidfile';
import { effectiveBacklog } from './backlog';
import { spawnWorker } from './spawn-worker';
import { sendToWorker } from './send-to-worker';
import { watchWorker } from './worker-events';
import type { SpawnFailure } from './spawn-failure';
import { LogRateLimit } from '../shared/log-rate-limit';
import { preparePrivilegeDrop } from './privileges';
import { dropMasterPrivileges } from './drop-root';
import { removeOwnFiles } from './vacuum';
import { nextQuickDeaths, respawnDelayMs } from '../shared/respawn-policy';
import { openMasterFifo, type MasterFifo } from './master-fifo';
import { watchTouchFiles } from './touch-watch';
import { mergeReloaded } from './reload-config';
import { sdNotify } from './sd-notify';
import { escapeText } from '../shared/text-escape';
import { reopenLogs } from './log-reopen';
import { StatsService, type StatsSlot } from './stats/stats-service';
import { startStatsServer, type StatsServer } from './stats/stats-server';
import { watchListenQueues, type QueueWatch } from './stats/queue-watch';

type Role = 'active' | 'pending' | 'retiring';

interface WorkerSlot {
  /** Unique for the master's life; events name slots by it. */
  readonly key: number;
  /** The worker number users see (1..processes); a replacement takes its predecessor's. */
  readonly id: number;
  role: Role;
  child: ChildProcess | undefined;
  spawnedAt: number;
  ready: boolean;
  quickDeaths: number;
  /** Failed forks in a row (a chdir gone, EACCES, EAGAIN); 0 once a process starts. */
  spawnFailures: number;
  /** The app threads its process was started with: bounds what its messages may hold. */
  threads: number;
  /** A recycling replacement: the slot it takes over once it accepts. */
  replaces?: WorkerSlot;
  /** Its replacement is due after a throttling delay. */
  recycleDue?: boolean;
}

interface Reload {
  readonly kind: 'graceful' | 'chain';
  readonly startedAt: number;
  readonly previousConfig: Config;
  /** Chain reload: the old workers still to replace, in order. */
  readonly queue: WorkerSlot[];
  /** Graceful: every new worker is accepting and the old ones were told to stop. */
  switched: boolean;
}

type State = 'running' | 'stopping' | 'halting';

/** The master's own reason to replace a worker: its channel carried bytes that are not messages. */
const BAD_IPC_RECYCLE = 'bad-ipc-data';

/** Recycle reasons that are faults (throttled like deaths), not limits. */
const FAULT_RECYCLES = new Set(['uncaught-exception', BAD_IPC_RECYCLE]);

/** How long SIGUSR1 / fifo s waits for the workers' answers. */
const REPORT_WAIT_MS = 500;

const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTTIN', 'SIGTTOU'];

/** Re-reads the command line and ini, as at start; throws as parseCommandLine does. */
export type ConfigSource = () => Config;

export async function runMaster(asked: Config, logs: LogHandle, reread?: ConfigSource): Promise<void> {
  const config = clampBacklog(asked, logs);
  preparePrivilegeDrop(config, logs.logger);
  const sockets = await bindAll(config);
  const master = new Master(config, logs, sockets, reread);
  // From here on the master owns sockets and workers: a fault of its own must not leave them.
  process.on('uncaughtException', (err) => master.crash(err));
  await master.startStats();
  master.start();
}

function clampBacklog(asked: Config, logs: LogHandle): Config {
  const { backlog, clamped } = effectiveBacklog(asked.listen);
  if (clamped) {
    logs.logger.warn(
      { event: 'listen-clamped', asked: asked.listen, granted: backlog },
      `listen ${asked.listen} is above the kernel's net.core.somaxconn (${backlog}): using ${backlog}; raise the sysctl for a longer queue`,
    );
  }
  return Object.freeze({ ...asked, listen: backlog });
}

class Master {
  private state: State = 'running';
  private everReady = false;
  private exitCode: number = ExitCode.Ok;
  private readonly workers = new Map<number, WorkerSlot>();
  private nextKey = 1;
  private reload: Reload | undefined;
  private readonly queue: MasterEvent[] = [];
  private draining = false;
  private mercyTimer: NodeJS.Timeout | undefined;
  private fifo: MasterFifo | undefined;
  private readonly stopWatching: (() => void)[] = [];
  /** The workers' state being gathered for SIGUSR1 / fifo s. */
  private report: { round: number; waiting: Set<number>; lines: Map<number, EventOf<'worker-report'>> } | undefined;
  private reportRound = 0;
  /** Per worker id, for the stats: processes started, harakiri kills of whole processes. */
  private readonly spawns = new Map<number, number>();
  private readonly harakiriKills = new Map<number, number>();
  private stats: StatsService | undefined;
  private statsServer: StatsServer | undefined;
  private queueWatch: QueueWatch | undefined;
  private crashed = false;
  /** Faults a worker can repeat at will are logged at a bounded rate. */
  private readonly badMessageLog = new LogRateLimit();
  private readonly garbageLog = new LogRateLimit();
  private readonly channelErrorLog = new LogRateLimit();
  private readonly log;

  constructor(
    private config: Config,
    private readonly logs: LogHandle,
    private readonly sockets: readonly BoundSocket[],
    private readonly reread: ConfigSource | undefined,
  ) {
    this.log = logs.logger;
  }

  /** Before any worker exists, so a stats address that cannot be bound stops the start. */
  async startStats(): Promise<void> {
    this.queueWatch = watchListenQueues(this.sockets, this.config.listen, this.log);
    const address = this.config.stats;
    if (address === undefined) return;
    this.stats = new StatsService(this.config, this.sockets, () => this.statsSlots(), this.queueWatch);
    const onError = (err: Error): void => this.log.warn({ event: 'stats-error', err: err.message }, `stats: ${err.message}`);
    this.statsServer = await startStatsServer(address, this.config.statsHttp, this.stats, onError, this.config.statsChmod);
    this.log.info({ event: 'stats-listening', address: this.statsServer.name, http: this.config.statsHttp }, `stats server on ${this.statsServer.name}${this.config.statsHttp ? ' (HTTP: / and /metrics)' : ''}`);
  }

  private statsSlots(): StatsSlot[] {
    const rank = { active: 0, pending: 1, retiring: 2 } as const;
    return [...this.workers.values()]
      .sort((a, b) => a.id - b.id || rank[a.role] - rank[b.role])
      .map((w) => {
        const child = w.child;
        return {
          key: w.key, id: w.id, role: w.role, ready: w.ready, pid: child?.pid ?? 0, spawnedAt: w.spawnedAt,
          spawns: this.spawns.get(w.id) ?? 0, harakiriKills: this.harakiriKills.get(w.id) ?? 0,
          send: (m: MasterToWorker) => sendToWorker(child, m),
        };
      });
  }

  start(): void {
    for (const s of this.sockets) {
      this.log.info({ event: 'bound', proto: s.proto, address: s.name, fd: s.fd, inherited: s.inherited === true }, `${s.proto} socket ${s.inherited ? 'inherited (LISTEN_FDS) at' : 'bound to'} ${s.name}`);
    }
    for (const sig of HANDLED_SIGNALS) process.on(sig, () => this.post({ kind: 'signal', name: sig }));
    // The FIFO before the pidfile: a FIFO another master reads stops the start before its
    // pidfile is overwritten.
    if (this.config.masterFifo !== undefined) {
      const file = this.config.masterFifo;
      this.fifo = openMasterFifo(file, (command) => this.post({ kind: 'command', command, source: 'fifo' }));
    }
    if (this.config.pidfile !== undefined) writePidfile(this.config.pidfile);
    // Everything that needs root exists now (sockets, stats, FIFO, pidfile, log file).
    dropMasterPrivileges(this.config, this.log);
    this.stopWatching.push(
      watchTouchFiles(this.config.touchReload, (f) => this.post({ kind: 'command', command: 'r', source: `touch-reload ${f}` })),
      watchTouchFiles(this.config.touchChainReload, (f) => this.post({ kind: 'command', command: 'c', source: `touch-chain-reload ${f}` })),
    );
    this.log.info(
      { event: 'starting', processes: this.config.processes, threads: this.config.threads },
      `starting ${this.config.processes} worker(s) x ${this.config.threads} thread(s)`,
    );
    for (let id = 1; id <= this.config.processes; id++) this.spawn(id, 'active');
  }

  /** Handlers and callbacks only enqueue; the loop below does the work, one event at a time. */
  private post(event: MasterEvent): void {
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drainQueue());
    }
  }

  private drainQueue(): void {
    let event: MasterEvent | undefined;
    while ((event = this.queue.shift()) !== undefined) {
      (this.handlers[event.kind] as (e: MasterEvent) => void)(event);
    }
    this.draining = false;
  }

  private readonly handlers: { [K in EventKind]: (e: EventOf<K>) => void } = {
    signal: (e) => this.onSignal(e.name),
    command: (e) => this.onCommand(e.command, e.source),
    'worker-ready': (e) => this.onWorkerReady(e),
    'worker-app-failed': (e) => this.onAppFailed(e),
    'worker-spawn-failed': (e) => this.onSpawnFailed(e),
    'worker-bad-message': (e) => this.onBadMessage(e),
    'worker-channel-error': (e) => this.onChannelError(e),
    'worker-needs-sockets': (e) => this.sendSockets(e),
    'worker-exit': (e) => this.onWorkerExit(e),
    'worker-recycle': (e) => this.recycle(e),
    'worker-report': (e) => this.onReport(e),
    'report-due': (e) => this.finishReport(e.round),
    'respawn-due': (e) => this.respawn(e.key),
    'recycle-due': (e) => this.startReplacement(e.key, e.pid),
    'mercy-expired': () => this.onMercyExpired(),
  };

  private onSignal(name: NodeJS.Signals): void {
    switch (name) {
      case 'SIGTERM':
        if (this.state === 'running') this.stopGracefully();
        else this.stopNow(`second SIGTERM`);
        return;
      case 'SIGINT':
      case 'SIGQUIT':
        this.stopNow(name);
        return;
      case 'SIGHUP':
        return this.onCommand('r', 'SIGHUP');
      case 'SIGUSR1':
        return this.onCommand('s', 'SIGUSR1');
      // Not uWSGI's meaning (each worker logs its request; that is SIGUSR1 / fifo s here):
      // logrotate's postrotate needs a signal, as with nginx's USR1 (docs/design-notes.md).
      case 'SIGUSR2':
        return this.onCommand('l', 'SIGUSR2');
      case 'SIGTTIN':
        return this.onCommand('+', 'SIGTTIN');
      case 'SIGTTOU':
        return this.onCommand('-', 'SIGTTOU');
      default:
        return;
    }
  }

  /** One-letter commands, as uWSGI's master FIFO takes them; signals map onto the same. */
  private onCommand(command: string, source: string): void {
    if (this.state !== 'running') return;
    switch (command) {
      case 'r':
        return this.startReload('graceful', true, source);
      case 'w':
        return this.startReload('graceful', false, source);
      case 'c':
        return this.startReload('chain', true, source);
      case 'q':
        return this.stopGracefully();
      case 'Q':
        return this.stopNow(`${source} Q`);
      case '+':
        return this.scale(+1, source);
      case '-':
        return this.scale(-1, source);
      case 's':
        return this.logWorkers();
      case 'l':
        return this.reopenLogs(source);
      default:
        this.log.warn({ event: 'unknown-command', command, source }, `unknown master command ${JSON.stringify(command)} from ${source}; ignored`);
    }
  }

  private slotsIn(role: Role): WorkerSlot[] {
    return [...this.workers.values()].filter((w) => w.role === role).sort((a, b) => a.id - b.id);
  }

  /** Starts a process for a slot; when the fork fails the slot stays without one and an event says why. */
  private spawn(id: number, role: Role, previous?: WorkerSlot): WorkerSlot {
    const slot: WorkerSlot = previous ?? { key: this.nextKey++, id, role, child: undefined, spawnedAt: 0, ready: false, quickDeaths: 0, spawnFailures: 0, threads: 0 };
    this.workers.set(slot.key, slot);
    const key = slot.key;
    slot.spawnedAt = Date.now();
    slot.ready = false;
    slot.threads = this.config.threads;
    const child = spawnWorker(slot.id, this.config, this.sockets, (f: SpawnFailure) => this.post({ kind: 'worker-spawn-failed', key, code: f.code, message: f.message }));
    if (child === undefined) return slot;
    const pid = child.pid as number;
    slot.child = child;
    slot.spawnFailures = 0;
    this.spawns.set(id, (this.spawns.get(id) ?? 0) + 1);
    this.log.info({ event: 'spawned', worker: id, workerPid: pid, slot: role }, `worker ${id} spawned (pid ${pid})`);
    watchWorker(child, { key, pid, threads: slot.threads }, (e) => this.post(e), (k, p, round, cores) => this.stats?.onReply(k, p, round, cores));
    return slot;
  }

  private slotOf(key: number, pid: number): WorkerSlot | undefined {
    const slot = this.workers.get(key);
    return slot !== undefined && slot.child?.pid === pid ? slot : undefined;
  }

  private onWorkerReady(e: EventOf<'worker-ready'>): void {
    const slot = this.slotOf(e.key, e.pid);
    if (slot === undefined) return;
    if (slot.ready) return this.onBadMessage({ kind: 'worker-bad-message', key: e.key, pid: e.pid, why: '"ready": already accepting', recycle: false });
    slot.ready = true;
    this.log.info({ event: 'accepting', worker: slot.id, workerPid: e.pid, slot: slot.role }, `worker ${slot.id} (pid ${e.pid}) accepting`);
    if (slot.replaces !== undefined) this.recycleProgress(slot);
    else if (slot.role === 'pending') this.reloadProgress(slot);
    if (!this.everReady && this.slotsIn('active').every((w) => w.ready)) {
      this.everReady = true;
      const pids = this.slotsIn('active').map((w) => w.child?.pid);
      this.log.info(
        { event: 'ready', workers: pids, sockets: this.sockets.map((s) => `${s.proto}:${s.name}`) },
        `tsuwsgi ready: ${pids.length} worker(s) accepting`,
      );
      sdNotify('ready', `${pids.length} worker(s) accepting`);
    }
  }

  /** A replacement app thread needs its own dups: sending a handle over IPC makes one. */
  private sendSockets(e: EventOf<'worker-needs-sockets'>): void {
    const child = this.slotOf(e.key, e.pid)?.child;
    this.sockets.forEach((s, index) => {
      const msg: MasterToWorker = { act: 'socket', thread: e.thread, index, proto: s.proto, name: s.name };
      sendToWorker(child, msg, { handle: s.handle as SendHandle });
    });
  }

  private onAppFailed(e: EventOf<'worker-app-failed'>): void {
    const slot = this.slotOf(e.key, e.pid);
    if (slot === undefined) return;
    if (slot.ready) return this.onBadMessage({ kind: 'worker-bad-message', key: e.key, pid: e.pid, why: '"app-load-failed" after accepting', recycle: false });
    this.log.error({ event: 'app-load-failed', worker: slot.id, code: e.code }, e.message);
    if (slot.replaces !== undefined) return this.recycleFailed(slot, e.message);
    if (slot.role === 'pending') return this.abortReload(`worker ${slot.id} could not load the app: ${e.message}`);
    if (!this.everReady && this.config.needApp && this.state === 'running') {
      process.stderr.write(`tsuwsgi: ${e.message}\n`);
      this.halt(ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
    }
  }

  private onWorkerExit(e: EventOf<'worker-exit'>): void {
    const slot = this.slotOf(e.key, e.pid);
    if (slot === undefined) return;
    slot.child = undefined;
    const lived = Date.now() - slot.spawnedAt;
    const expected = this.state !== 'running' || slot.role === 'retiring';
    this.log[expected ? 'info' : 'warn'](
      { event: 'worker-exited', worker: slot.id, workerPid: e.pid, code: e.code, signal: e.signal, livedMs: lived, slot: slot.role },
      `worker ${slot.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with code ${e.code}`}`,
    );
    if (this.leftWithoutProcess(slot, `(pid ${e.pid}) exited before accepting (code ${e.code}, signal ${e.signal})`)) return;
    if (!this.everReady && e.code === ExitCode.AppLoadError && this.config.needApp) {
      this.workers.delete(slot.key);
      this.halt(ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
      return;
    }
    // With threads = 1 harakiri's watchdog SIGKILLs its own process; the master sends an
    // active worker SIGKILL only when halting, so while running such an exit is a harakiri.
    if (e.signal === 'SIGKILL' && this.config.harakiri > 0) this.harakiriKills.set(slot.id, (this.harakiriKills.get(slot.id) ?? 0) + 1);
    const delay = this.scheduleRespawn(slot, lived);
    if (delay > 0) {
      this.log.warn({ event: 'respawn-throttled', worker: slot.id, delayMs: delay, quickDeaths: slot.quickDeaths }, `worker ${slot.id} respawning too fast: waiting ${delay} ms`);
    }
  }

  /**
   * The fork failed: no process, so nothing to reap. An active slot is retried like a worker
   * that died at once (throttled, one line per attempt); at first boot too, need-app or not:
   * a chdir a deploy has not created yet or an EAGAIN is an environment that may heal, and
   * need-app is about the app failing to load. "ready" waits until the slot accepts.
   */
  private onSpawnFailed(e: EventOf<'worker-spawn-failed'>): void {
    const slot = this.workers.get(e.key);
    if (slot === undefined || slot.child !== undefined) return;
    slot.spawnFailures++;
    const line = { event: 'spawn-failed', worker: slot.id, code: e.code, attempt: slot.spawnFailures, slot: slot.role };
    if (this.state === 'running' && slot.role === 'active') {
      const delay = this.scheduleRespawn(slot, 0);
      this.log.error({ ...line, delayMs: delay }, `worker ${slot.id} could not be started: ${e.message} (${e.code}); next attempt in ${delay} ms`);
      return;
    }
    this.log.error(line, `worker ${slot.id} could not be started: ${e.message} (${e.code})`);
    this.leftWithoutProcess(slot, `could not be started: ${e.message} (${e.code})`);
  }

  /**
   * A slot whose process is gone (or never started) outside normal running: shutting down,
   * retiring, or a replacement / reload worker that never accepted. True when handled here.
   */
  private leftWithoutProcess(slot: WorkerSlot, what: string): boolean {
    if (this.state !== 'running' || slot.role === 'retiring') {
      this.workers.delete(slot.key);
      if (this.state !== 'running' && this.workers.size === 0) this.finish();
      else this.reloadMaybeFinished();
      return true;
    }
    if (slot.replaces !== undefined) {
      this.workers.delete(slot.key);
      this.recycleFailed(slot, what);
      return true;
    }
    if (slot.role === 'pending') {
      this.workers.delete(slot.key);
      this.abortReload(`worker ${slot.id} ${what}`);
      return true;
    }
    return false;
  }

  /** Respawns at once, or after the throttling delay (returned) when the slot dies young. */
  private scheduleRespawn(slot: WorkerSlot, livedMs: number): number {
    slot.quickDeaths = nextQuickDeaths(slot.quickDeaths, livedMs);
    const delay = respawnDelayMs(slot.quickDeaths);
    // Not unref'd: while every worker is dead this timer is all that keeps the master alive.
    if (delay > 0) setTimeout(() => this.post({ kind: 'respawn-due', key: slot.key }), delay);
    else this.post({ kind: 'respawn-due', key: slot.key });
    return delay;
  }

  private respawn(key: number): void {
    const slot = this.workers.get(key);
    if (slot === undefined || slot.child !== undefined || slot.role !== 'active' || this.state !== 'running') return;
    // After a failed fork the failure line already said an attempt follows.
    if (slot.spawnFailures === 0) this.log.info({ event: 'respawn', worker: slot.id }, `respawning worker ${slot.id}`);
    this.spawn(slot.id, 'active', slot);
  }

  private retire(slot: WorkerSlot): void {
    slot.role = 'retiring';
    if (slot.child === undefined || !slot.child.connected) {
      if (slot.child === undefined) this.workers.delete(slot.key);
      else slot.child.kill('SIGKILL');
      return;
    }
    this.log.info({ event: 'worker-stopping', worker: slot.id, workerPid: slot.child.pid }, `worker ${slot.id} (pid ${slot.child.pid}) told to finish its requests and exit`);
    const child = slot.child;
    sendToWorker(child, { act: 'stop', graceful: true });
    // A retiring worker gets worker-reload-mercy seconds, as at shutdown.
    setTimeout(() => {
      if (slot.child === child && child.exitCode === null) {
        this.log.warn({ event: 'no-mercy', worker: slot.id, workerPid: child.pid }, `worker ${slot.id} still draining after worker-reload-mercy; killing it`);
        child.kill('SIGKILL');
      }
    }, this.config.workerReloadMercy * 1000).unref();
  }

  // Recycling -------------------------------------------------------------------------------

  /**
   * A worker reached a limit or faulted: start its replacement; it drains once the replacement
   * accepts. A fault soon after the start (an app that throws from a timer at every start) is
   * replaced after the respawn throttling delay, so that it is no fork loop; limits are what
   * the operator asked for and are never delayed.
   */
  private recycle(e: EventOf<'worker-recycle'>): void {
    const old = this.recyclable(e.key, e.pid);
    if (old === undefined) return;
    const fault = FAULT_RECYCLES.has(e.reason);
    if (fault) old.quickDeaths = nextQuickDeaths(old.quickDeaths, Date.now() - old.spawnedAt);
    const delay = fault ? respawnDelayMs(old.quickDeaths) : 0;
    this.log[fault ? 'warn' : 'info'](
      { event: 'recycle', worker: old.id, workerPid: e.pid, reason: e.reason, ...e.detail, ...(delay > 0 ? { delayMs: delay } : {}) },
      `worker ${old.id} (pid ${e.pid}) ${fault ? `had a fault (${e.reason})` : `reached ${e.reason}`}: starting its replacement${delay > 0 ? ` in ${delay} ms (soon after its own start)` : ''}`,
    );
    if (delay === 0) return this.startReplacement(e.key, e.pid);
    old.recycleDue = true;
    setTimeout(() => this.post({ kind: 'recycle-due', key: e.key, pid: e.pid }), delay).unref();
  }

  private recyclable(key: number, pid: number): WorkerSlot | undefined {
    const old = this.slotOf(key, pid);
    if (old === undefined || old.role !== 'active' || this.state !== 'running' || this.reload !== undefined) return undefined;
    if (old.recycleDue === true || [...this.workers.values()].some((w) => w.replaces === old)) return undefined;
    return old;
  }

  private startReplacement(key: number, pid: number): void {
    const old = this.slotOf(key, pid);
    if (old !== undefined) old.recycleDue = false;
    if (old === undefined || this.recyclable(key, pid) === undefined) return;
    const next = this.spawn(old.id, 'pending');
    next.replaces = old;
    next.quickDeaths = old.quickDeaths;
  }

  private recycleProgress(next: WorkerSlot): void {
    const old = next.replaces as WorkerSlot;
    next.replaces = undefined;
    next.role = 'active';
    if (old.role === 'active' && this.workers.get(old.key) === old) this.retire(old);
  }

  private recycleFailed(next: WorkerSlot, reason: string): void {
    const old = next.replaces as WorkerSlot;
    this.workers.delete(next.key);
    next.child?.kill('SIGKILL');
    this.log.error({ event: 'recycle-failed', worker: old.id, workerPid: old.child?.pid, reason }, `worker ${old.id}'s replacement failed (${reason}); the worker keeps serving`);
  }

  // Reloads ---------------------------------------------------------------------------------

  private startReload(kind: Reload['kind'], rereadIni: boolean, source: string): void {
    if (this.reload !== undefined) {
      this.log.warn({ event: 'reload-ignored', source }, `${source}: a reload is already running; ignored`);
      return;
    }
    const previousConfig = this.config;
    if (rereadIni && this.reread !== undefined) {
      let reread: Config;
      try {
        reread = clampBacklog(this.reread(), this.logs);
      } catch (err) {
        this.log.error({ event: 'reload-failed', source, err: (err as Error).message }, `${source}: the configuration cannot be read, nothing reloaded: ${(err as Error).message}`);
        return;
      }
      const { config, needRestart } = mergeReloaded(this.config, reread);
      if (needRestart.length > 0) {
        this.log.warn({ event: 'restart-needed', options: needRestart }, `changed options that only a restart applies: ${needRestart.join(', ')}`);
      }
      this.config = config;
    }
    // A recycling replacement still starting would be one worker too many after the reload.
    for (const w of this.slotsIn('pending')) {
      if (w.replaces === undefined) continue;
      this.workers.delete(w.key);
      w.child?.kill('SIGKILL');
    }
    // uWSGI's log-reopen: a reload also reopens the log. Before the new workers start, so the
    // old ones switch too and the new ones open the same (new) file.
    if (this.config.logReopen) this.reopenLogs(`${source} (log-reopen)`);
    this.reload = { kind, startedAt: Date.now(), previousConfig, queue: [], switched: false };
    this.log.info(
      { event: 'reload-started', kind, source, processes: this.config.processes, threads: this.config.threads },
      `${kind} reload started (${source})`,
    );
    sdNotify('reloading', `${kind} reload (${source})`);
    if (kind === 'graceful') {
      for (let id = 1; id <= this.config.processes; id++) this.spawn(id, 'pending');
    } else {
      this.reload.queue.push(...this.slotsIn('active'));
      this.chainStep();
    }
  }

  /** Chain reload: replace the next old worker, or settle the worker count when none is left. */
  private chainStep(): void {
    const reload = this.reload as Reload;
    const old = reload.queue.shift();
    if (old !== undefined) {
      if (old.id > this.config.processes) {
        this.retire(old);
        return this.chainStep();
      }
      this.spawn(old.id, 'pending');
      return;
    }
    const active = this.slotsIn('active');
    const ids = new Set(active.map((w) => w.id));
    for (let id = 1; id <= this.config.processes; id++) if (!ids.has(id)) this.spawn(id, 'active');
    reload.switched = true;
    this.reloadMaybeFinished();
  }

  private reloadProgress(ready: WorkerSlot): void {
    const reload = this.reload;
    if (reload === undefined) return;
    if (reload.kind === 'chain') {
      const old = this.slotsIn('active').find((w) => w.id === ready.id);
      ready.role = 'active';
      if (old !== undefined) this.retire(old);
      return this.chainStep();
    }
    const pending = this.slotsIn('pending');
    if (!pending.every((w) => w.ready)) return;
    const old = this.slotsIn('active');
    for (const w of pending) w.role = 'active';
    for (const w of old) this.retire(w);
    reload.switched = true;
    this.log.info({ event: 'reload-switched', workers: pending.map((w) => w.child?.pid) }, 'every new worker is accepting; the old ones are draining');
    this.reloadMaybeFinished();
  }

  private reloadMaybeFinished(): void {
    const reload = this.reload;
    if (reload === undefined || !reload.switched || this.slotsIn('retiring').length > 0 || this.slotsIn('pending').length > 0) return;
    this.reload = undefined;
    const ms = Date.now() - reload.startedAt;
    const pids = this.slotsIn('active').map((w) => w.child?.pid);
    this.log.info({ event: 'reload-finished', kind: reload.kind, durationMs: ms, workers: pids }, `${reload.kind} reload finished in ${ms} ms`);
    sdNotify('ready', `${pids.length} worker(s) accepting (reloaded)`);
  }

  /** A new worker failed: stop the new ones that are not serving yet and keep the old ones. */
  private abortReload(reason: string): void {
    const reload = this.reload;
    if (reload === undefined) return;
    this.reload = undefined;
    for (const w of this.slotsIn('pending')) {
      this.workers.delete(w.key);
      w.child?.kill('SIGKILL');
    }
    this.config = reload.previousConfig;
    const serving = this.slotsIn('active').map((w) => w.child?.pid);
    this.log.error({ event: 'reload-aborted', kind: reload.kind, reason, workers: serving }, `${reload.kind} reload aborted, the running workers keep serving: ${reason}`);
    sdNotify('ready', `${serving.length} worker(s) accepting (reload aborted)`);
  }

  private scale(delta: 1 | -1, source: string): void {
    const active = this.slotsIn('active');
    if (delta > 0) {
      const used = new Set(active.map((w) => w.id));
      let id = 1;
      while (used.has(id)) id++;
      this.config = Object.freeze({ ...this.config, processes: active.length + 1 });
      this.log.info({ event: 'scale', source, processes: active.length + 1 }, `${source}: one worker more (${active.length + 1})`);
      this.spawn(id, 'active');
      return;
    }
    if (active.length <= 1) {
      this.log.warn({ event: 'scale', source, processes: active.length }, `${source}: already at one worker; not removing it`);
      return;
    }
    this.config = Object.freeze({ ...this.config, processes: active.length - 1 });
    this.log.info({ event: 'scale', source, processes: active.length - 1 }, `${source}: one worker less (${active.length - 1})`);
    this.retire(active[active.length - 1]);
  }

  // Stopping --------------------------------------------------------------------------------

  private stopGracefully(): void {
    this.state = 'stopping';
    const mercy = this.config.workerReloadMercy;
    this.log.info({ event: 'stopping', graceful: true, mercySeconds: mercy }, 'graceful shutdown: finishing in-flight requests');
    sdNotify('stopping', 'graceful shutdown: finishing in-flight requests');
    for (const w of this.workers.values()) {
      if (w.child === undefined) this.workers.delete(w.key);
      else sendToWorker(w.child, { act: 'stop', graceful: true });
    }
    if (this.workers.size === 0) return this.finish();
    this.mercyTimer = setTimeout(() => this.post({ kind: 'mercy-expired' }), mercy * 1000);
    this.mercyTimer.unref();
  }

  // Worker faults --------------------------------------------------------------------------

  /** Dropped and logged (rate-limited); garbage on the channel also gets the worker replaced. */
  private onBadMessage(e: EventOf<'worker-bad-message'>): void {
    const slot = this.slotOf(e.key, e.pid);
    // Garbage on the channel has its own budget: it is the line that explains a replacement.
    const dropped = (e.recycle ? this.garbageLog : this.badMessageLog).admit();
    if (dropped !== undefined) {
      this.log.warn(
        { event: 'worker-bad-message', worker: slot?.id, workerPid: e.pid, why: e.why, dropped },
        `worker ${slot?.id ?? '?'} (pid ${e.pid}) sent a message the master refuses: ${e.why}${dropped > 0 ? ` (${dropped} more not logged)` : ''}`,
      );
    }
    if (e.recycle && slot !== undefined) this.recycle({ kind: 'worker-recycle', key: e.key, pid: e.pid, reason: BAD_IPC_RECYCLE, detail: {} });
  }

  private onChannelError(e: EventOf<'worker-channel-error'>): void {
    const dropped = this.channelErrorLog.admit();
    if (dropped === undefined) return;
    const id = this.workers.get(e.key)?.id;
    this.log.info(
      { event: 'worker-channel-error', worker: id, workerPid: e.pid, err: e.message, dropped },
      `worker ${id ?? '?'} (pid ${e.pid}): ${e.message} (it is exiting)`,
    );
  }

  private onMercyExpired(): void {
    if (this.state !== 'stopping') return;
    this.log.warn({ event: 'no-mercy', workers: [...this.workers.values()].map((w) => w.id) }, 'worker-reload-mercy expired: killing the remaining workers');
    this.killAll();
  }

  private stopNow(reason: string): void {
    this.exitCode = ExitCode.Interrupted;
    this.halt(ExitCode.Interrupted, reason);
  }

  private halt(code: number, reason: string): void {
    this.state = 'halting';
    this.exitCode = code;
    this.log.info({ event: 'stopping', graceful: false, reason }, `immediate shutdown: ${reason}`);
    for (const w of this.workers.values()) if (w.child === undefined) this.workers.delete(w.key);
    if (this.workers.size === 0) return this.finish();
    this.killAll();
  }

  private killAll(): void {
    for (const w of this.workers.values()) w.child?.kill('SIGKILL');
  }

  private reopenLogs(source: string): void {
    reopenLogs(this.config, this.logs, [...this.workers.values()].map((w) => w.child), source);
  }

  /** Ask every worker for its state; log one line per worker when all answered or in 500 ms. */
  private logWorkers(): void {
    if (this.report !== undefined) return;
    const round = ++this.reportRound;
    this.report = { round, waiting: new Set(), lines: new Map() };
    for (const w of this.workers.values()) {
      if (sendToWorker(w.child, { act: 'report' })) this.report.waiting.add(w.key);
    }
    if (this.report.waiting.size === 0) return this.finishReport(round);
    setTimeout(() => this.post({ kind: 'report-due', round }), REPORT_WAIT_MS).unref();
  }

  private onReport(e: EventOf<'worker-report'>): void {
    const r = this.report;
    if (r === undefined || !r.waiting.has(e.key)) return;
    r.waiting.delete(e.key);
    r.lines.set(e.key, e);
    if (r.waiting.size === 0) this.finishReport(r.round);
  }

  private finishReport(round: number): void {
    const r = this.report;
    if (r === undefined || r.round !== round) return;
    this.report = undefined;
    for (const w of [...this.workers.values()].sort((a, b) => a.id - b.id)) {
      const got = r.lines.get(w.key);
      const threads = got?.threads ?? [];
      const current = threads.flatMap((t) => (t.current ? [{ thread: t.thread, ...t.current }] : []));
      const stuck = threads.filter((t) => !t.answered).map((t) => t.thread);
      const status = got === undefined ? 'no answer' : stuck.length > 0 || current.length > 0 ? 'busy' : 'idle';
      this.log.info(
        {
          event: 'worker-state', worker: w.id, workerPid: w.child?.pid, slot: w.role, status,
          requests: threads.reduce((n, t) => n + (t.requests ?? 0), 0),
          rssBytes: got?.rssBytes, upMs: Date.now() - w.spawnedAt, current, notAnswering: stuck,
        },
        `worker ${w.id} (pid ${w.child?.pid}) ${status}${current.map((c) => `; ${escapeText(c.request)} running ${c.ms} ms`).join('')}`,
      );
    }
  }

  /** Every worker is gone: vacuum, then exit with the code the shutdown decided. */
  private finish(): void {
    if (this.mercyTimer !== undefined) clearTimeout(this.mercyTimer);
    for (const stop of this.stopWatching) stop();
    this.fifo?.close();
    this.queueWatch?.stop();
    this.statsServer?.close();
    this.vacuum();
    this.log.info({ event: 'stopped', code: this.exitCode }, `tsuwsgi stopped (exit ${this.exitCode})`);
    this.logs.flush();
    process.exit(this.exitCode);
  }

  /** Only the files this master created, and only if they are still the ones it created. */
  private vacuum(): void {
    removeOwnFiles({ vacuum: this.config.vacuum, sockets: this.sockets, fifo: this.fifo?.file, pidfile: this.config.pidfile, stats: this.statsServer?.file }, this.log);
  }

  /**
   * The master's own fault (an uncaught exception: a bug, or an environment it cannot work
   * in): nothing is trusted any more, so no graceful stop. Workers are killed (they would
   * exit on the closed channel anyway, but not at once), the files removed as at a normal
   * stop, one line logged with the stack, exit Internal. Each step runs even if one before
   * it throws.
   */
  crash(err: unknown): void {
    if (this.crashed) return;
    this.crashed = true;
    const steps = [
      () => this.log.fatal({ event: 'master-crashed', err }, `master crashed, workers killed: ${err instanceof Error ? err.message : String(err)}`),
      () => this.killAll(),
      () => this.vacuum(),
      () => this.logs.flush(),
    ];
    for (const step of steps) {
      try {
        step();
      } catch (again) {
        process.stderr.write(`tsuwsgi: while crashing: ${again instanceof Error ? again.message : String(again)}\n`);
      }
    }
    process.exit(ExitCode.Internal);
  }
}
