/**
 * What app authors import: `import { mules } from 'tsuwsgi'` to send, and the types a mule's
 * function is written against. uWSGI's `uwsgi.mule_msg(message, n)` and `uwsgi.mule_get_msg()`.
 *
 * The copy of tsuwsgi an app imports may not be the one running it (a global install serving
 * an app with its own dependency), so `mules` holds no state: the runtime installs a hook on
 * globalThis under a registered symbol in every app thread and mule, and `mules` uses whichever
 * hook it finds. Outside tsuwsgi there is none, and send() says so.
 */
import { TsuwsgiError } from '../errors';

/** What a runtime installs (worker main thread, app thread, mule): see hook.ts. */
export interface MuleHook {
  /** Mules configured (ids 1..count). */
  readonly count: number;
  /** Largest JSON text accepted, in bytes (mule-msg-size). */
  readonly maxBytes: number;
  /** Resolves once the master holds the message for the mule; rejects with its refusal. */
  send(mule: number, payload: string): Promise<void>;
}

export const MULE_HOOK = Symbol.for('tsuwsgi.mules.v1');

export interface Mules {
  /**
   * Sends `message` (anything JSON can carry) to mule `mule` (1-based, in the order of the
   * `mule =` lines). Resolves once the master holds it: delivered to the mule, or queued while
   * the mule is busy, restarting or down. Rejects with a TsuwsgiError: E_MULE_UNAVAILABLE
   * outside tsuwsgi, E_MULE_UNKNOWN for a mule that is not configured, E_MULE_MESSAGE for a
   * message JSON cannot carry or one above mule-msg-size, E_MULE_QUEUE_FULL when the mule's
   * queue holds mule-queue messages already.
   */
  send(mule: number, message: unknown): Promise<void>;
  /** How many mules are configured; 0 outside tsuwsgi. */
  readonly count: number;
}

/** The mule a message goes to, its JSON text and its size, checked before it leaves the thread. */
export const mules: Mules = {
  send(mule: number, message: unknown): Promise<void> {
    const hook = (globalThis as { [MULE_HOOK]?: MuleHook })[MULE_HOOK];
    if (hook === undefined) return refuse('E_MULE_UNAVAILABLE', 'mules.send: not running in a tsuwsgi worker or mule');
    if (!Number.isInteger(mule) || mule < 1 || mule > hook.count) {
      return refuse('E_MULE_UNKNOWN', `mules.send: no mule ${String(mule)} (${hook.count === 0 ? 'no mule is configured' : `mules are 1..${hook.count}`})`);
    }
    let payload: string | undefined;
    try {
      payload = JSON.stringify(message);
    } catch (err) {
      return refuse('E_MULE_MESSAGE', `mules.send: the message cannot be written as JSON: ${(err as Error).message}`);
    }
    if (payload === undefined) return refuse('E_MULE_MESSAGE', `mules.send: a ${typeof message} cannot be written as JSON`);
    const bytes = Buffer.byteLength(payload);
    if (bytes > hook.maxBytes) return refuse('E_MULE_MESSAGE', `mules.send: the message is ${bytes} bytes of JSON, above mule-msg-size (${hook.maxBytes})`);
    return hook.send(mule, payload);
  },
  get count(): number {
    return (globalThis as { [MULE_HOOK]?: MuleHook })[MULE_HOOK]?.count ?? 0;
  },
};

function refuse(code: ConstructorParameters<typeof TsuwsgiError>[0], message: string): Promise<never> {
  return Promise.reject(new TsuwsgiError(code, message));
}

/** What a mule's function gets. */
export interface MuleContext {
  /** This mule's number (1-based). */
  readonly id: number;
  /** Aborted when the mule is asked to stop (master stop, reload, mule-count lowered). */
  readonly signal: AbortSignal;
  /**
   * Handle each message with `handler`, one at a time: the next one comes once the promise it
   * returns settles. A handler that throws or rejects is logged; the mule goes on. Use this or
   * `messages`, not both.
   */
  onMessage(handler: (message: unknown) => unknown): void;
  /** The messages as an async iterable (uWSGI's mule_get_msg loop); it ends when the mule stops. */
  readonly messages: AsyncIterable<unknown>;
  /**
   * Run `job` on a schedule (the cron option's five fields) in this mule. A run still going
   * when the next is due makes that one skip, with a log line. Stops with the mule.
   */
  cron(schedule: string, job: (signal: AbortSignal) => unknown): void;
}

/** A mule module's export: called once when the mule starts. */
export type MuleFunction = (ctx: MuleContext) => unknown;
