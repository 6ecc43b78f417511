/**
 * Log lines for faults that can repeat without bound (a worker flooding the master with bad
 * messages, an app throwing from a timer in a loop): at most `burst` lines per window, the
 * rest counted and the count reported on the next line let through. The log stays readable
 * and writing it stays cheap, whatever the fault's rate.
 */
export class LogRateLimit {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  private dropped = 0;

  constructor(
    private readonly burst = 5,
    private readonly windowMs = 10_000,
  ) {}

  /** Undefined: drop this line. A number: write it, saying that many were dropped before it. */
  admit(now = Date.now()): number | undefined {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.burst) {
      this.dropped++;
      return undefined;
    }
    this.used++;
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }
}
