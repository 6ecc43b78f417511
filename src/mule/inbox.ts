/**
 * A mule's side of its messages: what the master sent and the mule's code has not taken yet
 * (at most the master's delivery window), handed to the one consumer the code chose, one at a
 * time: an `onMessage` handler (the next message once its promise settles) or the
 * `messages` async iterator (the next message at the next `next()`). Each message is reported
 * when taken and when done: the master then knows which one a mule that dies had in hand
 * (master/mules/mailbox.ts), and sends one more.
 */
import type { Logger } from '../shared/logger';
import { LogRateLimit } from '../shared/log-rate-limit';

type Handler = (message: unknown) => unknown;

export class MuleInbox {
  private readonly buffer: unknown[] = [];
  private handler: Handler | undefined;
  private iterating = false;
  /** A handler is running, or the iterator's consumer holds a message. */
  private busy = false;
  private stopped = false;
  private waiter: ((r: IteratorResult<unknown>) => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly failures = new LogRateLimit();

  constructor(
    private readonly report: (what: 'taken' | 'done') => void,
    private readonly log: Logger,
  ) {}

  push(message: unknown): void {
    this.buffer.push(message);
    this.pump();
  }

  onMessage(handler: Handler): void {
    if (typeof handler !== 'function') throw new TypeError('onMessage needs a function');
    if (this.iterating || this.handler !== undefined) throw new Error('a mule takes its messages one way: onMessage once, or the messages iterator');
    this.handler = handler;
    this.pump();
  }

  readonly messages: AsyncIterable<unknown> = {
    [Symbol.asyncIterator]: () => {
      if (this.iterating || this.handler !== undefined) throw new Error('a mule takes its messages one way: onMessage once, or the messages iterator');
      this.iterating = true;
      return { next: () => this.next(), return: () => this.finish() };
    },
  };

  /** No more messages are handed out; resolves once the one in hand is handled. */
  stop(): Promise<void> {
    this.stopped = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  /** The iterator's `next()`: the message handed out before is handled now. */
  private next(): Promise<IteratorResult<unknown>> {
    this.release();
    if (this.stopped) return Promise.resolve({ value: undefined, done: true });
    if (this.buffer.length > 0) return Promise.resolve(this.hand(this.buffer.shift()));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** `break` out of the for-await loop. */
  private finish(): Promise<IteratorResult<unknown>> {
    this.release();
    return Promise.resolve({ value: undefined, done: true });
  }

  private hand(value: unknown): IteratorResult<unknown> {
    this.busy = true;
    this.report('taken');
    return { value, done: false };
  }

  private release(): void {
    if (!this.busy) return;
    this.busy = false;
    this.report('done');
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    if (this.stopped || this.busy || this.buffer.length === 0) return;
    if (this.waiter !== undefined) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve(this.hand(this.buffer.shift()));
      return;
    }
    const handler = this.handler;
    if (handler === undefined) return;
    const message = this.buffer.shift();
    this.busy = true;
    this.report('taken');
    new Promise((resolve) => resolve(handler(message)))
      .catch((err: unknown) => {
        const dropped = this.failures.admit();
        if (dropped !== undefined) this.log.error({ event: 'mule-handler-failed', err, dropped }, `a mule message handler failed: ${(err as Error)?.message ?? String(err)}`);
      })
      .finally(() => {
        this.release();
        this.pump();
      });
  }
}
