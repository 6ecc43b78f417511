/**
 * Gathers the workers' counters for one stats document: one `{act:'stats'}` per worker, replies
 * awaited at most WAIT_MS (a round of shared/ask-all.ts). A worker that does not answer in time
 * (threads = 1 with the app blocking its only thread) is shown with its last known figures and
 * marked stale, so a stuck worker never holds the answer up. Concurrent requests for a document
 * share one round.
 */
import type { CoreFigures } from '../../shared/stats-figures';
import type { MasterToWorker } from '../../shared/ipc';
import { AskAll } from '../../shared/ask-all';

export const WAIT_MS = 200;

/** What the collector needs of a worker record of the master. */
export interface CollectTarget {
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

export class StatsCollector {
  private readonly known = new Map<number, Known>();
  /** The rounds: one question per worker, concurrent documents share it (shared/ask-all.ts). */
  private readonly asking = new AskAll<number, true>();

  constructor(private readonly waitMs = WAIT_MS) {}

  async collect(targets: readonly CollectTarget[]): Promise<Map<number, Collected>> {
    const byKey = new Map(targets.map((t) => [t.key, t]));
    const ask = (key: number, round: number): boolean => {
      const t = byKey.get(key)!;
      return t.pid > 0 && t.send({ act: 'stats', round });
    };
    const settled = await this.asking.ask(byKey.keys(), ask, this.waitMs);
    const out = new Map<number, Collected>();
    for (const s of targets) {
      const k = this.known.get(s.key);
      if (k === undefined || k.pid !== s.pid) {
        out.set(s.key, { cores: undefined, fresh: false, deltaRequests: 0 });
        continue;
      }
      const requests = (k.cores ?? []).reduce((n, c) => n + c.requests, 0);
      out.set(s.key, { cores: k.cores, fresh: settled.answers.has(s.key), deltaRequests: Math.max(0, requests - k.requestsShown) });
      k.requestsShown = requests;
    }
    // Workers that are gone are forgotten.
    for (const key of this.known.keys()) if (!byKey.has(key)) this.known.delete(key);
    return out;
  }

  /** A worker's figures. Kept even when late for its round: they are still its latest. */
  onReply(key: number, pid: number, round: number, cores: readonly CoreFigures[]): void {
    let k = this.known.get(key);
    if (k === undefined || k.pid !== pid) {
      k = { pid, cores: undefined, requestsShown: 0 };
      this.known.set(key, k);
    }
    k.cores = cores;
    this.asking.answer(key, true, round);
  }
}
