/**
 * The master: owns the sockets and the pidfile, keeps `processes` workers alive, and turns
 * signals and worker exits into events handled one at a time by small named handlers.
 */
import type { ChildProcess } from 'node:child_process';
import type { Config } from '../config/types';
import type { LogHandle } from '../shared/logger';
import type { MasterToWorker, WorkerToMaster } from '../shared/ipc';
import { ExitCode } from '../shared/exit-codes';
import type { EventKind, EventOf, MasterEvent } from './events';
import { bindAll, unlinkUnixSockets, type BoundSocket } from './sockets';
import { writePidfile, removePidfile } from './pidfile';
import { effectiveBacklog } from './backlog';
import { spawnWorker } from './spawn-worker';
import { preparePrivilegeDrop } from './privileges';
import { nextQuickDeaths, respawnDelayMs } from '../shared/respawn-policy';

interface WorkerSlot {
  readonly id: number;
  child: ChildProcess | undefined;
  spawnedAt: number;
  ready: boolean;
  quickDeaths: number;
}

type State = 'running' | 'stopping' | 'halting';

const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1'];

export async function runMaster(asked: Config, logs: LogHandle): Promise<void> {
  const { backlog, clamped } = effectiveBacklog(asked.listen);
  if (clamped) {
    logs.logger.warn(
      { event: 'listen-clamped', asked: asked.listen, granted: backlog },
      `listen ${asked.listen} is above the kernel's net.core.somaxconn (${backlog}): using ${backlog}; raise the sysctl for a longer queue`,
    );
  }
  const config: Config = Object.freeze({ ...asked, listen: backlog });
  preparePrivilegeDrop(config, logs.logger);
  const sockets = await bindAll(config);
  const master = new Master(config, logs, sockets);
  master.start();
}

class Master {
  private state: State = 'running';
  private everReady = false;
  private exitCode: number = ExitCode.Ok;
  private readonly workers = new Map<number, WorkerSlot>();
  private readonly queue: MasterEvent[] = [];
  private draining = false;
  private mercyTimer: NodeJS.Timeout | undefined;
  private readonly log;

  constructor(
    private readonly config: Config,
    private readonly logs: LogHandle,
    private readonly sockets: readonly BoundSocket[],
  ) {
    this.log = logs.logger;
  }

  start(): void {
    for (const s of this.sockets) {
      this.log.info({ event: 'bound', proto: s.proto, address: s.name, fd: s.fd }, `${s.proto} socket bound to ${s.name}`);
    }
    if (this.config.pidfile !== undefined) writePidfile(this.config.pidfile);
    for (const sig of HANDLED_SIGNALS) process.on(sig, () => this.post({ kind: 'signal', name: sig }));
    this.log.info(
      { event: 'starting', processes: this.config.processes, threads: this.config.threads },
      `starting ${this.config.processes} worker(s) x ${this.config.threads} thread(s)`,
    );
    for (let id = 1; id <= this.config.processes; id++) {
      const slot: WorkerSlot = { id, child: undefined, spawnedAt: 0, ready: false, quickDeaths: 0 };
      this.workers.set(id, slot);
      this.spawn(slot);
    }
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
    'worker-ready': (e) => this.onWorkerReady(e),
    'worker-app-failed': (e) => this.onAppFailed(e),
    'worker-needs-sockets': (e) => this.sendSockets(e),
    'worker-exit': (e) => this.onWorkerExit(e),
    'respawn-due': (e) => this.respawn(e.id),
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
        this.log.warn({ event: 'signal-ignored', signal: name }, 'SIGHUP: graceful reload is not implemented yet; ignored');
        return;
      case 'SIGUSR1':
        this.logWorkers();
        return;
      default:
        return;
    }
  }

  private spawn(slot: WorkerSlot): void {
    const child = spawnWorker(slot.id, this.config, this.sockets);
    slot.child = child;
    slot.spawnedAt = Date.now();
    slot.ready = false;
    const pid = child.pid ?? -1;
    this.log.info({ event: 'spawned', worker: slot.id, workerPid: pid }, `worker ${slot.id} spawned (pid ${pid})`);
    child.on('message', (m: WorkerToMaster) => {
      if (m.act === 'ready') this.post({ kind: 'worker-ready', id: slot.id, pid });
      else if (m.act === 'app-load-failed') this.post({ kind: 'worker-app-failed', id: slot.id, code: m.code, message: m.message });
      else if (m.act === 'need-sockets') this.post({ kind: 'worker-needs-sockets', id: slot.id, pid, thread: m.thread });
    });
    child.once('exit', (code, signal) => this.post({ kind: 'worker-exit', id: slot.id, pid, code, signal }));
  }

  private onWorkerReady(e: EventOf<'worker-ready'>): void {
    const slot = this.workers.get(e.id);
    if (slot === undefined || slot.child?.pid !== e.pid) return;
    slot.ready = true;
    this.log.info({ event: 'accepting', worker: e.id, workerPid: e.pid }, `worker ${e.id} (pid ${e.pid}) accepting`);
    if (!this.everReady && [...this.workers.values()].every((w) => w.ready)) {
      this.everReady = true;
      const pids = [...this.workers.values()].map((w) => w.child?.pid);
      this.log.info(
        { event: 'ready', workers: pids, sockets: this.sockets.map((s) => `${s.proto}:${s.name}`) },
        `tsuwsgi ready: ${pids.length} worker(s) accepting`,
      );
    }
  }

  /** A replacement app thread needs its own dups: sending a handle over IPC makes one. */
  private sendSockets(e: EventOf<'worker-needs-sockets'>): void {
    const child = this.workers.get(e.id)?.child;
    if (child === undefined || child.pid !== e.pid || !child.connected) return;
    this.sockets.forEach((s, index) => {
      const msg: MasterToWorker = { act: 'socket', thread: e.thread, index, proto: s.proto, name: s.name };
      child.send(msg, s.handle as Parameters<ChildProcess['send']>[1]);
    });
  }

  private onAppFailed(e: EventOf<'worker-app-failed'>): void {
    this.log.error({ event: 'app-load-failed', worker: e.id, code: e.code }, e.message);
    if (!this.everReady && this.config.needApp && this.state === 'running') {
      process.stderr.write(`tsuwsgi: ${e.message}\n`);
      this.halt(ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
    }
  }

  private onWorkerExit(e: EventOf<'worker-exit'>): void {
    const slot = this.workers.get(e.id);
    if (slot === undefined || slot.child?.pid !== e.pid) return;
    slot.child = undefined;
    const lived = Date.now() - slot.spawnedAt;
    const level = this.state === 'running' ? 'warn' : 'info';
    this.log[level]({ event: 'worker-exited', worker: e.id, workerPid: e.pid, code: e.code, signal: e.signal, livedMs: lived }, `worker ${e.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with code ${e.code}`}`);
    if (this.state !== 'running') {
      this.workers.delete(e.id);
      if (this.workers.size === 0) this.finish();
      return;
    }
    if (!this.everReady && e.code === ExitCode.AppLoadError && this.config.needApp) {
      this.workers.delete(e.id);
      this.halt(ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
      return;
    }
    slot.quickDeaths = nextQuickDeaths(slot.quickDeaths, lived);
    const delay = respawnDelayMs(slot.quickDeaths);
    if (delay === 0) {
      this.respawn(e.id);
    } else {
      this.log.warn({ event: 'respawn-throttled', worker: e.id, delayMs: delay, quickDeaths: slot.quickDeaths }, `worker ${e.id} respawning too fast: waiting ${delay} ms`);
      // Not unref'd: while every worker is dead this timer is all that keeps the master alive.
      setTimeout(() => this.post({ kind: 'respawn-due', id: e.id }), delay);
    }
  }

  private respawn(id: number): void {
    const slot = this.workers.get(id);
    if (slot === undefined || slot.child !== undefined || this.state !== 'running') return;
    this.log.info({ event: 'respawn', worker: id }, `respawning worker ${id}`);
    this.spawn(slot);
  }

  private stopGracefully(): void {
    this.state = 'stopping';
    const mercy = this.config.workerReloadMercy;
    this.log.info({ event: 'stopping', graceful: true, mercySeconds: mercy }, 'graceful shutdown: finishing in-flight requests');
    for (const w of this.workers.values()) {
      if (w.child === undefined) this.workers.delete(w.id);
      else w.child.send({ act: 'stop', graceful: true });
    }
    if (this.workers.size === 0) return this.finish();
    this.mercyTimer = setTimeout(() => this.post({ kind: 'mercy-expired' }), mercy * 1000);
    this.mercyTimer.unref();
  }

  private onMercyExpired(): void {
    if (this.state !== 'stopping') return;
    this.log.warn({ event: 'no-mercy', workers: [...this.workers.keys()] }, 'worker-reload-mercy expired: killing the remaining workers');
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
    for (const w of this.workers.values()) if (w.child === undefined) this.workers.delete(w.id);
    if (this.workers.size === 0) return this.finish();
    this.killAll();
  }

  private killAll(): void {
    for (const w of this.workers.values()) w.child?.kill('SIGKILL');
  }

  private logWorkers(): void {
    for (const w of this.workers.values()) {
      this.log.info({ event: 'worker-state', worker: w.id, workerPid: w.child?.pid, ready: w.ready, upMs: Date.now() - w.spawnedAt }, `worker ${w.id}`);
    }
  }

  /** Every worker is gone: vacuum, then exit with the code the shutdown decided. */
  private finish(): void {
    if (this.mercyTimer !== undefined) clearTimeout(this.mercyTimer);
    if (this.config.vacuum) {
      unlinkUnixSockets(this.sockets);
      if (this.config.pidfile !== undefined) removePidfile(this.config.pidfile);
    }
    this.log.info({ event: 'stopped', code: this.exitCode }, `tsuwsgi stopped (exit ${this.exitCode})`);
    this.logs.flush();
    process.exit(this.exitCode);
  }
}
