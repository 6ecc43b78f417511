/**
 * Every wait of a uwsgi connection on its peer is bounded (uWSGI's socket-timeout), the app's
 * own time never (harakiri's job):
 *  - the idle timer (socket-timeout, Node's socket timeout: reset by any activity) is armed
 *    only where something may wait on the peer, and when it fires, the rule below decides
 *    whether the peer is the one waited for (then the connection closes) or the app (then it
 *    is re-armed);
 *  - idle timers alone are defeated by one byte per period, so the head has a total deadline
 *    (socket-timeout from the accept: nginx writes it in one go) and the body another
 *    (http-timeout, from the end of the head); discarding after an early answer is bounded
 *    like a body.
 * The rules are pure functions of the connection's state, unit-tested alone; the rest acts on
 * a connection through the narrow view below.
 */
import type { Socket } from 'node:net';
import type { ServeContext } from './context';
import { State, stateName } from './uwsgi-state';

/**
 * Whether the idle timer is needed once the socket is read: a request still arriving, a
 * response not ended yet, or one the kernel has not taken whole. A small answer the app ended
 * at once, the usual case, needs no timer.
 */
export function needsIdleTimer(state: State, responseEnded: boolean, unsentBytes: number): boolean {
  return state !== State.Done || !responseEnded || unsentBytes > 0;
}

/**
 * The idle timer fired: the reason to give when it is the peer we wait for, undefined when it
 * is the app (working, or reading its body slowly, which keeps the socket paused).
 */
export function idleFault(state: State, readingPaused: boolean, responded: boolean, unsentBytes: number): string | undefined {
  const waitingToRead = state === State.Head || state === State.Discard ||
    (state === State.Body && !readingPaused) ||
    // Answered (a ping, an early answer): only the peer's EOF is awaited.
    (state === State.Done && responded);
  if (waitingToRead) return 'the peer sent nothing';
  if (unsentBytes > 0) return 'the peer took none of the response';
  return undefined;
}

/** A total deadline passed: the head's or the body's (or what follows an early answer). */
export function deadlineFault(state: State): string {
  return state === State.Head ? 'the request head did not arrive in time' : 'the request body did not arrive in time';
}

/** A timeout that cut the request while it was still arriving is a read error in the stats. */
export function readWasCut(state: State): boolean {
  return state === State.Head || state === State.Body;
}

/** What the timeouts read and change on a connection. */
export interface Waiting {
  readonly socket: Socket;
  readonly ctx: ServeContext;
  readonly state: State;
  /** A response (ours or the app's) is complete. */
  readonly responded: boolean;
  readonly uri: string | undefined;
  deadline: NodeJS.Timeout | undefined;
  /** Set on a timeout: the close it causes is not a client leaving. */
  goneLogged: boolean;
}

export function onIdle(c: Waiting): void {
  const { socket, ctx } = c;
  const why = idleFault(c.state, socket.isPaused(), c.responded, socket.writableLength);
  if (why !== undefined) timedOut(c, why, ctx.socketTimeoutMs);
  // The app is working (or reading its body slowly): not the peer's fault. Look again later.
  else socket.setTimeout(ctx.socketTimeoutMs);
}

/** Starts the total deadline of what is awaited now (replacing the previous one). */
export function setDeadline(c: Waiting, ms: number): void {
  clearDeadline(c);
  c.deadline = setTimeout(deadlinePassed, ms, c);
}

export function clearDeadline(c: Waiting): void {
  if (c.deadline !== undefined) {
    clearTimeout(c.deadline);
    c.deadline = undefined;
  }
}

function deadlinePassed(c: Waiting): void {
  c.deadline = undefined;
  timedOut(c, deadlineFault(c.state), c.state === State.Head ? c.ctx.socketTimeoutMs : c.ctx.requestTimeoutMs);
}

function timedOut(c: Waiting, why: string, limitMs: number): void {
  const { socket, ctx } = c;
  if (socket.destroyed) return;
  ctx.log.info({ event: 'timeout', state: stateName(c.state), uri: c.uri, limitMs }, `connection timed out: ${why} within ${limitMs} ms`);
  if (readWasCut(c.state)) ctx.stats?.readError(ctx.threadIndex);
  c.goneLogged = true;
  socket.destroy();
}
