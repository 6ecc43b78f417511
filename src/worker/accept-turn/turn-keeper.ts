/**
 * The worker side of accept turns: every TICK_MS, write this worker's record on the board (its
 * clock, how busy its loop was over the last BUSY_WINDOW_TICKS, how much of that its thread
 * waited for a CPU, and whether that came to LONG_REQUEST_MS or more a request started), read
 * everyone's, and open or close the thread's listeners on the accept gate as turn-policy.ts
 * decides. Runs on the main thread of a worker whose main thread serves (threads-min = 1); app
 * threads started on demand accept regardless, since they start only when this one is saturated.
 */
import fs from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { AcceptGate } from '../../server/accept-gate';
import { decodeBoard, encodeRecord, monotonicMs, RECORD_BYTES } from '../../shared/turn-board';
import type { TurnSeat } from '../../shared/ipc';
import { BUSY_WINDOW_TICKS, decideTurn, LONG_MIN_REQUESTS, LONG_REQUEST_MS, TICK_MS } from './turn-policy';
import { ThreadCpuClock, waitShare, type CpuTimes } from './cpu-wait';

export class TurnKeeper {
  private readonly own = Buffer.alloc(RECORD_BYTES);
  private readonly all: Buffer;
  private readonly timer: NodeJS.Timeout;
  /** The loop's utilisation at each of the last BUSY_WINDOW_TICKS ticks, oldest first. */
  private readonly window: EventLoopUtilization[] = [performance.eventLoopUtilization()];
  /** This thread's CPU times at the same ticks (empty where the kernel does not give them). */
  private readonly cpu = new ThreadCpuClock();
  private readonly cpuWindow: CpuTimes[] = [];
  /** The requests this thread had started at the same ticks as `window`. */
  private readonly started: number[];
  private heldUntil = 0;
  private left = false;

  constructor(
    private readonly seat: TurnSeat,
    private readonly workerId: number,
    private readonly gate: AcceptGate,
    /** How many requests this thread has started (the scoreboard's counter: nothing per request). */
    private readonly requests: () => number = () => 0,
  ) {
    this.started = [requests()];
    this.all = Buffer.alloc(seat.capacity * RECORD_BYTES);
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS).unref();
  }

  /** Draining: this worker no longer accepts, so it must not count as a primary any more. */
  leave(): void {
    if (this.left) return;
    this.left = true;
    clearInterval(this.timer);
    this.cpu.close();
    this.write(0, 0, 0, false);
  }

  /** Read everyone's records (this one's is a tick old), decide, then write this one's with the decision. */
  private tick(): void {
    const now = monotonicMs();
    const loop = performance.eventLoopUtilization();
    const over = performance.eventLoopUtilization(loop, this.window[0]);
    const elu = over.utilization;
    const times = this.cpu.sample();
    const cpuWait = times !== undefined && this.cpuWindow.length > 0 ? waitShare(this.cpuWindow[0]!, times) : 0;
    if (times !== undefined) {
      this.cpuWindow.push(times);
      if (this.cpuWindow.length > BUSY_WINDOW_TICKS) this.cpuWindow.shift();
    }
    const count = this.requests();
    const started = count - this.started[0]!;
    // The loop's own time a request started: its active time less what it spent waiting for a
    // CPU, which on a crowded host stretches every request without making it long (and is what
    // CPU_BOUND_WAIT answers). Where fewer started, the loop is idle or blocked, which the clock
    // stamp and the saturation test already cover.
    const ownMs = over.active - cpuWait * (over.active + over.idle);
    const long = started >= LONG_MIN_REQUESTS && ownMs / started >= LONG_REQUEST_MS;
    this.window.push(loop);
    this.started.push(count);
    if (this.window.length > BUSY_WINDOW_TICKS) {
      this.window.shift();
      this.started.shift();
    }
    let bytes: number;
    try {
      bytes = fs.readSync(this.seat.fd, this.all, 0, this.all.length, 0);
    } catch {
      // A board that cannot be read: this worker simply always accepts.
      return this.gate.setTurn(true);
    }
    const d = decideTurn(decodeBoard(this.all, bytes), { slot: this.seat.slot, workerId: this.workerId }, now, this.seat.accepting, this.heldUntil);
    this.heldUntil = d.heldUntil;
    const written = this.write(now, elu, cpuWait, true, d.primary, d.accept, long);
    this.gate.setTurn(d.accept || !written);
  }

  /** False when the board cannot be written. */
  private write(stampMs: number, elu: number, cpuWait: number, present: boolean, primary = false, accepting = false, long = false): boolean {
    encodeRecord(this.own, { stampMs, elu, cpuWait, workerId: this.workerId, present, primary, accepting, long });
    try {
      fs.writeSync(this.seat.fd, this.own, 0, RECORD_BYTES, this.seat.slot * RECORD_BYTES);
      return true;
    } catch {
      return false;
    }
  }
}
