/**
 * The master's event queue: signals, FIFO commands, worker messages and exits, and timers only
 * post an event here; the queue hands them to the handler one at a time, and after each one
 * runs the settle step (reconcile), as Gunicorn's arbiter runs `manage_workers` after handling
 * each signal. Nothing acts between two events, so a handler always sees a settled state.
 *
 * Timers are events too: `after` posts a given event once; `wakeAt` keeps one timer for the
 * reconcile step's next deadline (a throttled respawn, a delayed recycle, a mercy running out)
 * and posts `tick` when it comes. That timer keeps the process alive on purpose: while every
 * worker is dead it is all that does.
 */
export class EventQueue<E> {
  private readonly queue: E[] = [];
  private draining = false;
  private wake: { readonly at: number; readonly timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly handle: (event: E) => void,
    private readonly settle: () => void,
    private readonly tick: E,
  ) {}

  post(event: E): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  /** Posts `event` after `ms` (unref'd: such a timer alone never keeps the master up). */
  after(ms: number, event: E): () => void {
    const timer = setTimeout(() => this.post(event), ms);
    timer.unref();
    return () => clearTimeout(timer);
  }

  /** Arms the one wake-up timer for `at` (a Date.now() time), or clears it. */
  wakeAt(at: number | undefined): void {
    if (this.wake?.at === at) return;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    this.wake = undefined;
    if (at === undefined) return;
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.post(this.tick);
    }, Math.max(0, at - Date.now()));
    this.wake = { at, timer };
  }

  private drain(): void {
    let event: E | undefined;
    while ((event = this.queue.shift()) !== undefined) {
      this.handle(event);
      this.settle();
    }
    this.draining = false;
  }
}
