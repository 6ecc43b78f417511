/**
 * The sending side every runtime shares: numbers each message, hands it to `post` (towards the
 * master) and settles the caller's promise when the master's answer comes back with the
 * number. Installed on globalThis for `mules` (api.ts) to find.
 */
import { TsuwsgiError, isTsuwsgiError } from '../errors';
import { MULE_HOOK, type MuleHook } from './api';
import type { MuleAck } from './ipc';

interface Waiting {
  resolve(): void;
  reject(err: Error): void;
}

export class MuleSender implements MuleHook {
  private seq = 0;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    readonly count: number,
    readonly maxBytes: number,
    private readonly post: (seq: number, mule: number, payload: string) => boolean,
  ) {}

  send(mule: number, payload: string): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      if (!this.post(seq, mule, payload)) this.answer({ seq, code: 'E_MULE_UNAVAILABLE', message: 'mules.send: the master is gone' });
    });
  }

  /** The master's answer for message `seq`. */
  answer(ack: MuleAck): void {
    const w = this.waiting.get(ack.seq);
    if (w === undefined) return;
    this.waiting.delete(ack.seq);
    if (ack.code === undefined) return w.resolve();
    // The code crossed a process boundary: checked against the catalogue before it is trusted.
    const err: unknown = { code: ack.code, message: ack.message ?? ack.code };
    w.reject(isTsuwsgiError(err) ? new TsuwsgiError(err.code, err.message) : new Error(ack.message ?? String(ack.code)));
  }

  install(): this {
    (globalThis as { [MULE_HOOK]?: MuleHook })[MULE_HOOK] = this;
    return this;
  }
}
