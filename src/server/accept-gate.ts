/**
 * Pauses one app thread's accepting while it holds a connection whose request has not arrived
 * yet, so a thread never sits on an accepted connection while its app blocks on another one.
 *
 * libuv accepts every pending connection in one wake-up and offers no pause for a listening
 * handle, but a listener opened from an fd (always the case in a worker) is a readable stream
 * handle: readStop() takes its fd out of the poll set until the next readStart(). The fd stays
 * open and listening, so the kernel keeps queueing and the sibling threads keep accepting.
 * design-notes.md "Accepting" has the measurements.
 *
 * A pause is a favour to well-behaved front ends (nginx writes its packet right after
 * connect()), so a peer that connects and stays silent must not be able to turn it against
 * the thread: a pause ends as soon as every connection it waits for has delivered, closed,
 * failed or timed out, lasts at most MAX_HOLD_MS, and all pauses together are paid from a
 * budget that refills at BUDGET_SHARE of the time. Whatever the peers do, the thread accepts
 * at least (1 - BUDGET_SHARE) of the time.
 */
import type { Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pausableListener } from '../shared/node-internals';

interface ListenHandle {
  readStart(): number;
  readStop(): number;
}

/** nginx writes its packet right after connect(); a connection silent this long is not that. */
const MAX_HOLD_MS = 50;
/** At most this share of the time is spent paused, over any stretch longer than the burst. */
const BUDGET_SHARE = 0.1;
/** The most the budget holds: two maximal pauses back to back. */
const BUDGET_MAX_MS = 2 * MAX_HOLD_MS;

/** What hold() returns: ends this connection's part of the pause; safe to call twice. */
export type Release = () => void;
const NOTHING_TO_RELEASE: Release = () => undefined;

export class AcceptGate {
  private readonly handles: ListenHandle[] = [];
  /** Listeners of kinds that never hold (http-socket): only the accept turn opens and closes them. */
  private readonly unheld: ListenHandle[] = [];
  /** Whether this worker's accept turn lets it accept (worker/accept-turn/); always true without turns. */
  private turn = true;
  /** Connections the current pause waits for; 0 = accepting. */
  private holds = 0;
  /** Bumped when a pause ends, so that releases from an earlier pause do nothing. */
  private pause = 0;
  private pausedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private budgetMs = BUDGET_MAX_MS;
  private refilledAt = performance.now();

  /** Call once the server listens. A handle that cannot be paused leaves the gate open. */
  add(server: Server): void {
    const handle = pausableListener(server);
    if (handle === undefined || handle.readStart() !== 0) return;
    this.handles.push(handle);
    if (!this.turn || this.holds > 0) handle.readStop();
  }

  /** A listener that no hold pauses, only the accept turn. */
  addUnheld(server: Server): void {
    const handle = pausableListener(server);
    if (handle === undefined || handle.readStart() !== 0) return;
    this.unheld.push(handle);
    if (!this.turn) handle.readStop();
  }

  /** Opens or closes every listener of the thread for the accept turn; a hold still pauses on top. */
  setTurn(on: boolean): void {
    if (on === this.turn) return;
    this.turn = on;
    if (this.holds === 0) this.set(on);
    for (const h of this.unheld) {
      if (on) h.readStart();
      else h.readStop();
    }
  }

  /** Pause accepting until the returned release (or the bounds above) says otherwise. */
  hold(): Release {
    if (this.handles.length === 0) return NOTHING_TO_RELEASE;
    if (this.holds === 0) {
      const now = performance.now();
      this.refill(now);
      if (this.budgetMs <= 0) return NOTHING_TO_RELEASE;
      this.pausedAt = now;
      this.timer = setTimeout(this.open, Math.min(MAX_HOLD_MS, this.budgetMs));
      if (this.turn) this.set(false);
    }
    this.holds++;
    const pause = this.pause;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (pause === this.pause && this.holds === 1) this.open();
      else if (pause === this.pause) this.holds--;
    };
  }

  /** A closed server's handle is gone; stop touching it. */
  clear(): void {
    if (this.holds > 0) this.open();
    this.handles.length = 0;
    this.unheld.length = 0;
  }

  /** For tests: whether the thread is accepting now. */
  get accepting(): boolean {
    return this.holds === 0 && this.turn;
  }

  private readonly open = (): void => {
    if (this.holds === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    this.refill(now);
    this.budgetMs -= now - this.pausedAt;
    this.holds = 0;
    this.pause++;
    if (this.turn) this.set(true);
  };

  private refill(now: number): void {
    this.budgetMs = Math.min(BUDGET_MAX_MS, this.budgetMs + (now - this.refilledAt) * BUDGET_SHARE);
    this.refilledAt = now;
  }

  private set(polling: boolean): void {
    for (const h of this.handles) {
      if (polling) h.readStart();
      else h.readStop();
    }
  }
}
