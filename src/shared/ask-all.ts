/**
 * "Ask every one, wait with a deadline", written once: the master's SIGUSR1 report asks each
 * worker process for its state, the stats collector each worker for its counters (a worker
 * reads its app threads' state from the scoreboard, without asking them). A
 * round sends the question to every target and settles as soon as each target that could be
 * asked has answered, or at the deadline, whichever comes first; a target that cannot be asked
 * (its channel is gone) is not waited for. An answer that comes late, twice, from a target not
 * asked, or for another round is dropped. One round runs at a time; asking while one runs joins
 * it, so concurrent askers share one question to each target.
 *
 * The clock is the caller's: by default an unref'd timer (a deadline never keeps a process
 * alive); the master passes one that posts an event into its queue, so that the deadline is
 * handled there like everything else.
 */

export interface Settled<T, A> {
  readonly round: number;
  readonly answers: ReadonlyMap<T, A>;
  /** Asked, and silent until the deadline. */
  readonly missing: ReadonlySet<T>;
}

/** Arms the deadline of a round: `expire(round)` must be called after `ms`; returns a cancel. */
export type Deadline = (ms: number, round: number) => () => void;

/** Sends the question; false when the target cannot be asked (it is then not waited for). */
export type Ask<T> = (target: T, round: number) => boolean;

interface Round<T, A> {
  readonly id: number;
  readonly waiting: Set<T>;
  readonly answers: Map<T, A>;
  readonly listeners: ((s: Settled<T, A>) => void)[];
  cancel: () => void;
}

export class AskAll<T, A> {
  private running: Round<T, A> | undefined;
  private rounds = 0;
  private readonly deadline: Deadline;

  constructor(deadline?: Deadline) {
    this.deadline = deadline ?? ((ms, round) => {
      const timer = setTimeout(() => this.expire(round), ms);
      timer.unref();
      return () => clearTimeout(timer);
    });
  }

  /** A round is running (asked, not settled yet). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Asks every target (or joins the running round) and calls `onSettled` once, when the round
   * settles; synchronously, before this returns, when no target could be asked.
   */
  start(targets: Iterable<T>, ask: Ask<T>, waitMs: number, onSettled: (s: Settled<T, A>) => void): void {
    const joined = this.running;
    if (joined !== undefined) {
      joined.listeners.push(onSettled);
      return;
    }
    const round: Round<T, A> = { id: ++this.rounds, waiting: new Set(), answers: new Map(), listeners: [onSettled], cancel: () => undefined };
    this.running = round;
    for (const t of targets) if (ask(t, round.id)) round.waiting.add(t);
    if (round.waiting.size === 0) return this.settle(round);
    round.cancel = this.deadline(waitMs, round.id);
  }

  /** The same, as a promise. */
  ask(targets: Iterable<T>, ask: Ask<T>, waitMs: number): Promise<Settled<T, A>> {
    return new Promise((resolve) => this.start(targets, ask, waitMs, resolve));
  }

  /** An answer; `round` when the answer names the round it belongs to (else: the running one). */
  answer(target: T, answer: A, round?: number): void {
    const r = this.running;
    if (r === undefined || (round !== undefined && round !== r.id) || !r.waiting.delete(target)) return;
    r.answers.set(target, answer);
    if (r.waiting.size === 0) this.settle(r);
  }

  /** The deadline of `round` has come: settle it with what has been answered. */
  expire(round: number): void {
    const r = this.running;
    if (r !== undefined && r.id === round) this.settle(r);
  }

  private settle(r: Round<T, A>): void {
    r.cancel();
    this.running = undefined;
    const settled: Settled<T, A> = { round: r.id, answers: r.answers, missing: r.waiting };
    for (const listener of r.listeners) listener(settled);
  }
}
