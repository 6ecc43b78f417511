/**
 * The master's queue for one mule id: messages not yet sent to the mule (`queued`) and those
 * sent but not yet reported handled (`inFlight`, at most the delivery window). It outlives
 * the mule's processes: what waits here goes to the next one. Bounded by mule-queue
 * (queued + in flight), so a mule that is down or slow makes mules.send reject instead of
 * the master growing.
 *
 * A mule handles its messages one at a time, in order, so when its process ends the first
 * message in flight is the one it had in hand, and the rest were never started. A mule that
 * stopped gracefully finished the one in hand (and said so): all of the rest go back to the
 * front of the queue. One that died may have been part-way through the first: it is dropped
 * (at most once: a message is never handled twice) and the rest go back.
 */

/** Messages a mule may hold unhandled: one in hand and a few to take next without a round trip. */
export const MULE_WINDOW = 8;

export class MuleMailbox {
  private queued: string[] = [];
  private inFlight: string[] = [];
  /** Messages accepted, handed to a mule, reported handled, lost with a mule that died. */
  accepted = 0;
  delivered = 0;
  handled = 0;
  lost = 0;

  get queuedCount(): number {
    return this.queued.length;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** False when `limit` messages wait already. */
  accept(payload: string, limit: number): boolean {
    if (this.queued.length + this.inFlight.length >= limit) return false;
    this.queued.push(payload);
    this.accepted++;
    return true;
  }

  /** How many may be sent now. */
  deliverable(): number {
    return Math.min(this.queued.length, MULE_WINDOW - this.inFlight.length);
  }

  /** Moves `n` from the queue to in flight; returns them, to be sent in this order. */
  take(n: number): string[] {
    const out = this.queued.splice(0, n);
    this.inFlight.push(...out);
    this.delivered += out.length;
    return out;
  }

  /** The mule handled the oldest message it holds. False when it holds none (a bad report). */
  done(): boolean {
    if (this.inFlight.length === 0) return false;
    this.inFlight.shift();
    this.handled++;
    return true;
  }

  /** The mule's process ended: returns how many messages were lost with it (0 or 1). */
  processEnded(graceful: boolean): number {
    const back = graceful ? this.inFlight : this.inFlight.slice(1);
    const lost = this.inFlight.length - back.length;
    this.queued = [...back, ...this.queued];
    this.inFlight = [];
    this.delivered -= back.length;
    this.lost += lost;
    return lost;
  }

  /** At the master's exit: what was never handed to a mule. */
  drop(): number {
    const n = this.queued.length + this.inFlight.length;
    this.queued = [];
    this.inFlight = [];
    return n;
  }
}
