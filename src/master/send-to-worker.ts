/**
 * Every message the master sends a worker goes through here. A worker can die at any moment,
 * and a send to it then fails: at once (the channel is known to be closed) or after the write
 * (EPIPE, ECONNRESET: it died since). Without a callback Node reports the late failure as an
 * 'error' event on the ChildProcess, which nothing expects on a send, and an unhandled 'error'
 * ends the master. With one it comes here instead; the worker's 'exit' event follows and is
 * handled (and logged) by the master, so the failure itself only needs noting.
 */
import type { ChildProcess, SendHandle } from 'node:child_process';
import type { MasterToWorker } from '../shared/ipc';

export interface SendOptions {
  /** A listening socket to pass along (a fresh dup for a replacement app thread). */
  readonly handle?: SendHandle;
  /** Told of a send that failed after it was written; by default it is ignored. */
  readonly onFailed?: (err: Error) => void;
}

/** False when the worker's channel is already gone (nothing was sent). */
export function sendToWorker(child: ChildProcess | undefined, message: MasterToWorker, opts: SendOptions = {}): boolean {
  if (child === undefined || !child.connected) return false;
  const onFailed = opts.onFailed ?? ignore;
  try {
    // send() returning false only means "queued behind earlier messages": it still goes.
    child.send(message, opts.handle, (err) => {
      if (err !== null) onFailed(err);
    });
    return true;
  } catch (err) {
    // Node throws for a handle it cannot pass (closed meanwhile) and for unserialisable data.
    onFailed(err as Error);
    return false;
  }
}

function ignore(): void {}
