/**
 * Whose turn it is to accept (docs/design-notes.md, "Accept turns"). Pure: the board's records,
 * the asking worker's slot, the clock and the configured count in, a decision out.
 *
 * Every worker that polls a shared listening socket is woken for every new connection, and on a
 * machine with fewer cores than workers most of them wake only to find it taken: ~20 µs of CPU
 * each, more than a Node worker's share of a small request. So the `accepting` live workers with
 * the lowest ids (the primaries) always accept, and the others (spares) accept only while every
 * primary is saturated: its loop busy nearly all of the last 200 ms while the CPUs were not what it
 * waited for, or not turning at all (its record stale: a blocked loop, or a process that
 * stopped), which also drops it from the primaries, so the next live worker becomes one. A spare
 * that joined stays for HOLD_MS after the need ends, so a load at the edge does not flip it every
 * tick.
 *
 * Saturation is the test for short requests, where one more waiter costs a wake-up a connection
 * and a queue behind the primary costs next to nothing. Where the primary's requests are long
 * (its loop busy LONG_REQUEST_MS or more a request) a request that arrives while it computes waits
 * for the whole of that, at any load: so a primary marked long counts as saturated, and a spare
 * that joined for it stays LONG_HOLD_MS, over the gaps of a load of a few requests a second. A
 * joined spare also stays while it carries a share the primaries could not take back (its own
 * loop busy SPARE_KEEP_ELU of the time, not counting its waits for a CPU), so that under a load
 * between one worker and two it does not leave, let the primary saturate again, and return 200 ms
 * later.
 */
import type { TurnRecord } from '../../shared/turn-board';

/** How often a worker writes its record and decides. */
export const TICK_MS = 50;
/** A record older than this: its loop missed three ticks, it is blocked or gone. */
export const STALE_MS = 200;
/** A loop busy this share of the last BUSY_WINDOW_TICKS ticks is saturated. */
export const BUSY_ELU = 0.9;
/**
 * 200 ms: one busy tick is a collection, a burst of compiles after a start, or a moment without
 * a core; a spare joins for what lasts (and stays HOLD_MS), not for that.
 */
export const BUSY_WINDOW_TICKS = 4;
/**
 * A busy primary whose loop thread spent this share of the last ticks waiting for a CPU (runnable,
 * not running) is held back by the CPUs, not by its app: a spare would wait for the same CPUs and
 * add only its own wake-ups. Measured with the seed's 4 x 2 over TCP on 2 cores (nginx and wrk
 * on the same cores): a primary's loop thread ran 0.35 and waited 0.41 of the time, and with the
 * spares in, CPU per request went from ~110 to 180-370 us. A loop blocked in the app (sync I/O, a
 * sleep, a lock) waits for a CPU only for the little it runs; one computing on a core of its own
 * hardly waits.
 */
export const CPU_BOUND_WAIT = 0.25;
/** A spare keeps accepting this long after it was last needed. */
export const HOLD_MS = 1000;
/**
 * A loop busy this long a request (its active time over the window's ticks less its waits for a
 * CPU, over the requests started in them) serves long requests: the herd's wake-up (10-20 us a
 * connection a waiter) is under 2 % of it, and a request queued behind it waits about as long as
 * it runs.
 */
export const LONG_REQUEST_MS = 1;
/**
 * Long needs this many requests started in the window (10 a second): a single slow one (a cold
 * start's first request, a rare report) seldom has another queue behind it.
 */
export const LONG_MIN_REQUESTS = 2;
/** A spare that joined for long requests keeps accepting this long after the primary was last marked long. */
export const LONG_HOLD_MS = 3000;
/**
 * A joined spare whose own loop is busy this share of the window, not counting its waits for a
 * CPU, stays (unless it waits a quarter of the time): with two workers, its leaving would put the
 * primary at twice that, over BUSY_ELU.
 */
export const SPARE_KEEP_ELU = BUSY_ELU / 2;

export interface TurnDecision {
  readonly accept: boolean;
  /** One of the `accepting` live workers with the lowest ids: it accepts whatever the others do. */
  readonly primary: boolean;
  /** Until when a spare keeps accepting without being needed (ms, the board's clock). */
  readonly heldUntil: number;
}

function live(r: TurnRecord, nowMs: number): boolean {
  const age = nowMs - r.stampMs;
  // A stamp from the future is a record no running worker wrote (NaN fails both tests).
  return r.present && age <= STALE_MS && age >= -STALE_MS;
}

/** The asking worker: its record on the board may be a tick old, or not written yet. */
export interface TurnSelf {
  readonly slot: number;
  readonly workerId: number;
}

/** The primaries: the first `accepting` live records by worker id (then slot, during a reload). */
export function primaries(records: readonly TurnRecord[], me: TurnSelf, nowMs: number, accepting: number): TurnRecord[] {
  const self: TurnRecord = { slot: me.slot, workerId: me.workerId, stampMs: nowMs, elu: 0, cpuWait: 0, present: true, primary: false, accepting: false, long: false };
  return [self, ...records.filter((r) => r.slot !== me.slot && live(r, nowMs))]
    .sort((a, b) => a.workerId - b.workerId || a.slot - b.slot)
    .slice(0, accepting);
}

/** Waiting for a CPU a quarter of the time: the CPUs are the limit, and a spare would wait for them too. */
const cpuBound = (r: TurnRecord): boolean => r.cpuWait >= CPU_BOUND_WAIT;

export function decideTurn(records: readonly TurnRecord[], me: TurnSelf, nowMs: number, accepting: number, heldUntil: number): TurnDecision {
  const first = primaries(records, me, nowMs, accepting);
  if (first.some((r) => r.slot === me.slot)) return { accept: true, primary: true, heldUntil: 0 };
  if (first.every((r) => (r.elu >= BUSY_ELU || r.long) && !cpuBound(r))) {
    const hold = first.some((r) => r.long) ? LONG_HOLD_MS : HOLD_MS;
    return { accept: true, primary: false, heldUntil: Math.max(heldUntil, nowMs + hold) };
  }
  const own = nowMs < heldUntil ? records.find((r) => r.slot === me.slot) : undefined;
  if (own !== undefined && own.accepting && own.elu - own.cpuWait >= SPARE_KEEP_ELU && !cpuBound(own)) {
    return { accept: true, primary: false, heldUntil: Math.max(heldUntil, nowMs + HOLD_MS) };
  }
  return { accept: nowMs < heldUntil, primary: false, heldUntil };
}
