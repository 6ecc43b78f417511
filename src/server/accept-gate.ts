/**
 * Pauses one app thread's accepting while it holds a connection whose request has not arrived
 * yet, so a thread never sits on an accepted connection while its app blocks on another one.
 *
 * libuv accepts every pending connection in one wake-up and offers no pause for a listening
 * handle, but a listener opened from an fd (always the case in a worker) is a readable stream
 * handle: readStart() marks it reading and readStop() takes its fd out of the poll set until
 * the next readStart(). The fd stays open and listening, so the kernel keeps queueing and the
 * sibling threads keep accepting. design-notes.md "Accepting" has the measurements.
 */
import type { Server } from 'node:net';

interface ListenHandle {
  readStart(): number;
  readStop(): number;
}

/** nginx writes its packet right after connect(); a connection silent this long is not that. */
const MAX_HOLD_MS = 50;

export class AcceptGate {
  private readonly handles: ListenHandle[] = [];
  private holds = 0;

  /** Call once the server listens. A handle that cannot be paused leaves the gate open. */
  add(server: Server): void {
    const handle = (server as unknown as { _handle?: Partial<ListenHandle> | null })._handle;
    if (handle == null || typeof handle.readStart !== 'function' || typeof handle.readStop !== 'function') return;
    if (handle.readStart() !== 0) return;
    this.handles.push(handle as ListenHandle);
  }

  /** Stop polling until release(); returns the release, which is safe to call twice. */
  hold(): () => void {
    if (this.holds++ === 0) this.set(false);
    let released = false;
    const timer = setTimeout(() => release(), MAX_HOLD_MS);
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      if (--this.holds === 0) this.set(true);
    };
    return release;
  }

  /** A closed server's handle is gone; stop touching it. */
  clear(): void {
    this.handles.length = 0;
  }

  private set(polling: boolean): void {
    for (const h of this.handles) {
      if (polling) h.readStart();
      else h.readStop();
    }
  }
}
