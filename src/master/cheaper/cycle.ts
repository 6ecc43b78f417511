/**
 * The cheaper in the master's loop: once a second (a `cheaper-cycle` event) every serving
 * worker is asked how busy it is (one IPC message each way per second, never per request; the
 * answer is read from its scoreboard), and when the answers are in (or at a 300 ms deadline) the
 * policy (decide.ts) decides, and the decision is a new wanted worker count: reconcile starts
 * or retires workers from it like after SIGTTIN / SIGTTOU. One log line per decision, with its
 * reason.
 *
 * A decision waits while a worker is starting (added workers count once they accept) and while
 * a reload runs, as uWSGI's skips reloading instances. A worker that does not answer (threads
 * = 1 with the app blocking it) is busy, and was busy all the time since it last answered.
 */
import type { Logger } from '../../shared/logger';
import { AskAll, type Settled } from '../../shared/ask-all';
import type { EventOf } from '../events';
import { setWantedCount, wantedCount, type Wanted } from '../wanted';
import type { WorkerRecord, WorkerTable } from '../worker-table';
import { CheaperPolicy } from './decide';
import { BUSY_SHARE, IDLE_SHARE, cheaperSettings, type CheaperDecision, type WorkerLoad } from './types';

export const CYCLE_MS = 1000;
const ANSWER_MS = 300;

interface Answer {
  readonly busyMicros: number;
  readonly busy: boolean;
}

export interface CycleIo {
  readonly wanted: Wanted;
  readonly table: WorkerTable;
  readonly log: Logger;
  readonly now: () => number;
  /** False when the worker cannot be asked. */
  ask(key: number, round: number): boolean;
  /** Arms the deadline of a round (posts `cheaper-due`); returns a cancel. */
  deadline(ms: number, round: number): () => void;
  /** Connections waiting in the listen queues, summed (the queue poller's last sample). */
  backlog(): number;
  rssBytes(pid: number): number;
}

export class CheaperCycle {
  private readonly policy: CheaperPolicy;
  private readonly asking: AskAll<number, Answer>;
  /** Each worker's last answer and when it came, for one that does not answer. */
  private readonly last = new Map<number, { micros: number; at: number }>();

  constructor(private readonly io: CycleIo) {
    this.policy = new CheaperPolicy(cheaperSettings(io.wanted.config), io.now());
    this.asking = new AskAll((ms, round) => io.deadline(ms, round));
  }

  cycle(): void {
    const w = this.io.wanted;
    if (w.phase !== 'running' || w.reload !== undefined || this.asking.busy) return;
    const serving = this.serving();
    if (serving === undefined) return;
    this.asking.start(serving.map((r) => r.key), (key, round) => this.io.ask(key, round), ANSWER_MS, (s) => this.decide(serving, s));
  }

  answer(e: EventOf<'worker-load'>): void {
    if (this.io.table.match(e.key, e.pid) !== undefined) this.asking.answer(e.key, { busyMicros: e.busyMicros, busy: e.busy }, e.round);
  }

  expire(round: number): void {
    this.asking.expire(round);
  }

  /** The serving workers, or undefined while one is starting or missing (a decision waits). */
  private serving(): WorkerRecord[] | undefined {
    const count = wantedCount(this.io.wanted);
    const active = this.io.table.inRole('active').filter((r) => r.id <= count);
    if (active.length !== count || active.some((r) => !r.ready || r.pid === undefined)) return undefined;
    return active;
  }

  private decide(serving: WorkerRecord[], s: Settled<number, Answer>): void {
    const w = this.io.wanted;
    if (w.phase !== 'running' || w.reload !== undefined || this.serving()?.length !== serving.length) return;
    const now = this.io.now();
    const loads = serving.map((r) => this.loadOf(r, s.answers.get(r.key), now));
    for (const k of [...this.last.keys()]) if (!serving.some((r) => r.key === k)) this.last.delete(k);
    const rssBytes = serving.reduce((n, r) => n + (r.pid === undefined ? 0 : this.io.rssBytes(r.pid)), 0);
    const d = this.policy.decide({ now, workers: loads, backlog: this.io.backlog() }, { rssBytes });
    this.apply(d, serving.length);
  }

  private loadOf(r: WorkerRecord, a: Answer | undefined, now: number): WorkerLoad {
    const seen = this.last.get(r.key);
    if (a !== undefined) {
      const since = seen ?? { micros: 0, at: r.spawnedAt };
      const share = (a.busyMicros - since.micros) / Math.max(1, (now - since.at) * 1000);
      this.last.set(r.key, { micros: a.busyMicros, at: now });
      return { key: r.key, busy: a.busy || share >= BUSY_SHARE, idle: !a.busy && share < IDLE_SHARE, busyMicros: a.busyMicros, share: Math.min(1, share) };
    }
    const micros = (seen?.micros ?? 0) + (now - (seen?.at ?? r.spawnedAt)) * 1000;
    this.last.set(r.key, { micros, at: now });
    return { key: r.key, busy: true, idle: false, busyMicros: micros, share: 1 };
  }

  private apply(d: CheaperDecision, running: number): void {
    const { log, wanted } = this.io;
    const algo = this.policy.settings.algo;
    for (const note of d.notes ?? []) log.info({ event: 'cheaper-note', algo }, `cheaper (${algo}): ${note}`);
    if (d.delta === 0) return;
    const workers = Math.min(Math.max(running + d.delta, 1), wanted.config.processes);
    if (workers === running) return;
    setWantedCount(wanted, workers);
    log.info(
      { event: 'cheaper', algo, from: running, to: workers, reason: d.reason },
      `cheaper (${algo}): ${workers > running ? 'adding' : 'removing'} ${Math.abs(workers - running)} worker(s), ${running} -> ${workers}: ${d.reason}`,
    );
  }
}
