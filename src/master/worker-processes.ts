/**
 * The process side of the worker table: the ChildProcess of each record, and the few things
 * the master does to one (fork it, tell it to drain, kill it, send it a message). The
 * decisions are reconcile.ts's; this only carries them out and logs what it did.
 */
import type { ChildProcess, SendHandle } from 'node:child_process';
import type { Config } from '../shared/config';
import type { MasterToWorker } from '../shared/ipc';
import type { Logger } from '../shared/logger';
import type { AcceptTurn } from '../shared/stats-document';
import type { MasterEvent } from './events';
import { sendToWorker, type SendOptions } from './send-to-worker';
import type { BoundSocket } from './sockets';
import { spawnWorker, type TurnBoardSeat } from './spawn-worker';
import { acceptingFor, TurnBoardFile } from './turn-board-file';
import { usableCpus } from '../shared/usable-cpus';
import { watchWorker, type StatsReply } from './worker-events';
import type { WorkerRecord, WorkerTable } from './worker-table';

export class WorkerProcesses {
  private readonly children = new Map<number, ChildProcess>();
  /** The accept-turn board; null when it could not be created. */
  private board: TurnBoardFile | null | undefined;
  /** Each running worker's record on the board, by worker key. */
  private readonly turnSlots = new Map<number, number>();
  /** The CPUs (cgroup quota included), read once: every worker then counts with the same number. */
  private cpus: number | undefined;

  constructor(
    private readonly sockets: readonly BoundSocket[],
    private readonly log: Logger,
    private readonly post: (e: MasterEvent) => void,
    private readonly onStats: StatsReply,
  ) {}

  /**
   * Forks the record's process. When the fork fails the record stays without a pid and a
   * `worker-spawn-failed` event says why (now or on the next tick).
   */
  start(r: WorkerRecord, config: Config, table: WorkerTable, respawn: boolean): void {
    const key = r.key;
    // After a failed fork the failure line already said that an attempt follows.
    if (respawn && r.spawnFailures === 0) this.log.info({ event: 'respawn', worker: r.id }, `respawning worker ${r.id}`);
    const turn = this.turnSeat(config);
    const child = spawnWorker(r.id, config, this.sockets, (f) => this.post({ kind: 'worker-spawn-failed', key, code: f.code, message: f.message }), turn);
    if (child === undefined) {
      if (turn !== undefined) this.board?.release(turn.slot);
      return;
    }
    const pid = child.pid as number;
    this.children.set(key, child);
    if (turn !== undefined) this.turnSlots.set(key, turn.slot);
    child.once('exit', () => {
      if (this.children.get(key) === child) this.children.delete(key);
      if (turn === undefined) return;
      if (this.turnSlots.get(key) === turn.slot) this.turnSlots.delete(key);
      this.board?.release(turn.slot);
    });
    r.pid = pid;
    r.spawnFailures = 0;
    table.countSpawn(r.id);
    this.log.info({ event: 'spawned', worker: r.id, workerPid: pid, workerRole: r.role }, `worker ${r.id} spawned (pid ${pid})`);
    watchWorker(child, { key, pid, threads: r.threads }, this.post, this.onStats);
  }

  /** A record on the accept-turn board when turns apply (the board is created the first time). */
  private turnSeat(config: Config): TurnBoardSeat | undefined {
    const accepting = acceptingFor(config, (this.cpus ??= usableCpus()));
    if (accepting === 0) return undefined;
    if (this.board === undefined) {
      this.board = TurnBoardFile.create(config.processes) ?? null;
      if (this.board === null) this.log.warn({ event: 'accept-turns-off' }, 'no directory takes the accept-turn board; every worker accepts');
    }
    const slot = this.board?.take();
    return this.board == null || slot === undefined ? undefined : { boardFd: this.board.fd, slot, capacity: this.board.capacity, accepting };
  }

  /** The worker's accept turn as its last decision on the board says (stats). */
  turnOf(key: number): AcceptTurn {
    const slot = this.turnSlots.get(key);
    const r = slot === undefined ? undefined : this.board?.read(slot);
    if (r === undefined) return 'all';
    if (r.primary) return 'primary';
    return r.accepting ? 'joined' : 'spare';
  }

  /** Tells it to finish its requests and exit; a worker whose channel is gone is killed. */
  retire(r: WorkerRecord, quietly: boolean): void {
    const child = this.children.get(r.key);
    if (child === undefined || !child.connected) {
      child?.kill('SIGKILL');
      return;
    }
    if (!quietly) {
      this.log.info({ event: 'worker-stopping', worker: r.id, workerPid: child.pid }, `worker ${r.id} (pid ${child.pid}) told to finish its requests and exit`);
    }
    sendToWorker(child, { act: 'stop', graceful: true });
  }

  kill(key: number): void {
    this.children.get(key)?.kill('SIGKILL');
  }

  killAll(): void {
    for (const child of this.children.values()) child.kill('SIGKILL');
  }

  /** False when the worker has no process or its channel is gone. */
  send(key: number, m: MasterToWorker, opts?: SendOptions): boolean {
    return sendToWorker(this.children.get(key), m, opts);
  }

  /** A replacement app thread needs its own dups: sending a handle over IPC makes one. */
  sendSockets(key: number, thread: number): void {
    this.sockets.forEach((s, index) => {
      this.send(key, { act: 'socket', thread, index, proto: s.proto, name: s.name }, { handle: s.handle as SendHandle });
    });
  }

  all(): ChildProcess[] {
    return [...this.children.values()];
  }
}
