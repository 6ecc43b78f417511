/**
 * The master's queue for one mule id: messages not yet sent to the mule (`queued`) and those
 * sent but not yet reported handled (`inFlight`, at most the delivery window). It outlives
 * the mule's processes: what waits here goes to the next one. Bounded by mule-queue
 * (queued + in flight), so a mule that is down or slow makes mules.send reject instead of
 * the master growing.
 *
 * A mule handles its messages one at a time, in order, and says when it takes one ("taken")
 * and when it is done with it ("done"). So when its process ends, only the first message in
 * flight can have been started, and only if it was taken: that one is dropped (at most once: a
 * message is never handled twice, and one a mule died on may be what killed it), and every
 * other goes back to the front of the queue for the next process.
 */

/** Messages a mule may hold unhandled: one in hand and a few to take next without a round trip. */
export const MULE_WINDOW = 8;

export class MuleMailbox {
  private queued: string[] = [];
  private inFlight: string[] = [];
  /** The mule has started on the first message in flight. */
  private inHand = false;
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

  /** The mule started on the oldest message it holds. False when it holds none, or has one in hand. */
  taken(): boolean {
    if (this.inFlight.length === 0 || this.inHand) return false;
    this.inHand = true;
    return true;
  }

  /** The mule handled the message in hand. False when it has none (a bad report). */
  done(): boolean {
    if (!this.inHand) return false;
    this.inFlight.shift();
    this.inHand = false;
    this.handled++;
    return true;
  }

  /** The mule's process ended: returns how many messages were lost with it (0 or 1). */
  processEnded(): number {
    const back = this.inHand ? this.inFlight.slice(1) : this.inFlight;
    this.inHand = false;
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
    this.inHand = false;
    return n;
  }
}
