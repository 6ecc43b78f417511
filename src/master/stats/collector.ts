/**
 * Gathers the workers' counters for one stats document: one `{act:'stats'}` per worker, replies
 * awaited at most WAIT_MS. A worker that does not answer in time (threads = 1 with the app
 * blocking its only thread) is shown with its last known figures and marked stale, so a stuck
 * worker never holds the answer up. Concurrent requests for a document share one round.
 */
import type { CoreFigures } from '../../shared/stats-figures';
import type { MasterToWorker } from '../../shared/ipc';

export const WAIT_MS = 200;

/** What the collector needs of a master slot. */
export interface CollectSlot {
  readonly key: number;
  readonly pid: number;
  /** False when the IPC channel is gone. */
  send(m: MasterToWorker): boolean;
}

export interface Collected {
  readonly cores: readonly CoreFigures[] | undefined;
  readonly fresh: boolean;
  readonly deltaRequests: number;
}

interface Known {
  readonly pid: number;
  cores: readonly CoreFigures[] | undefined;
  /** Requests at the previous document, for delta_requests. */
  requestsShown: number;
}

interface Round {
  readonly id: number;
  readonly waiting: Set<number>;
  readonly fresh: Set<number>;
  readonly done: Promise<void>;
  finish(): void;
}

export class StatsCollector {
  private readonly known = new Map<number, Known>();
  private round: Round | undefined;
  private rounds = 0;

  constructor(private readonly waitMs = WAIT_MS) {}

  async collect(slots: readonly CollectSlot[]): Promise<Map<number, Collected>> {
    const round = this.round ?? this.startRound(slots);
    await round.done;
    const out = new Map<number, Collected>();
    for (const s of slots) {
      const k = this.known.get(s.key);
      if (k === undefined || k.pid !== s.pid) {
        out.set(s.key, { cores: undefined, fresh: false, deltaRequests: 0 });
        continue;
      }
      const requests = (k.cores ?? []).reduce((n, c) => n + c.requests, 0);
      out.set(s.key, { cores: k.cores, fresh: round.fresh.has(s.key), deltaRequests: Math.max(0, requests - k.requestsShown) });
      k.requestsShown = requests;
    }
    // Slots that are gone are forgotten.
    const live = new Set(slots.map((s) => s.key));
    for (const key of this.known.keys()) if (!live.has(key)) this.known.delete(key);
    return out;
  }

  onReply(key: number, pid: number, round: number, cores: readonly CoreFigures[]): void {
    let k = this.known.get(key);
    if (k === undefined || k.pid !== pid) {
      k = { pid, cores: undefined, requestsShown: 0 };
      this.known.set(key, k);
    }
    k.cores = cores;
    const r = this.round;
    if (r === undefined || r.id !== round || !r.waiting.has(key)) return;
    r.waiting.delete(key);
    r.fresh.add(key);
    if (r.waiting.size === 0) r.finish();
  }

  private startRound(slots: readonly CollectSlot[]): Round {
    const id = ++this.rounds;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const round: Round = { id, waiting: new Set(), fresh: new Set(), done, finish };
    this.round = round;
    for (const s of slots) {
      if (s.pid > 0 && s.send({ act: 'stats', round: id })) round.waiting.add(s.key);
    }
    const timer = setTimeout(() => round.finish(), this.waitMs);
    void done.then(() => {
      clearTimeout(timer);
      if (this.round === round) this.round = undefined;
    });
    if (round.waiting.size === 0) finish();
    return round;
  }
}
