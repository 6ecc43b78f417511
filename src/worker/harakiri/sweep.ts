/**
 * The app thread's own side of harakiri: requests that overrun while the thread itself is fine
 * (an awaited call that never settles) are answered 504 here, every SWEEP_MS, and the app is
 * shut out of their responses. A thread stuck in synchronous code cannot run this: that is the
 * watchdog's job (watchdog.ts), which reads the same requests from the scoreboard.
 */
import type { Logger } from '../../shared/logger';
import { escapeText } from '../../shared/text-escape';
import { answerForApp } from '../../server/response';
import type { ThreadRequests } from '../request-hooks';
import type { RowWriter } from '../scoreboard/row-writer';

const SWEEP_MS = 500;

export interface SweepOptions {
  readonly seconds: number;
  readonly workerId: number;
  readonly thread: number;
  readonly log: Logger;
}

export function startSweep(requests: ThreadRequests, row: RowWriter, o: SweepOptions): void {
  const answered = new WeakSet<object>();
  setInterval(() => sweep(requests, row, o, answered, Date.now()), SWEEP_MS).unref();
}

function sweep(requests: ThreadRequests, row: RowWriter, o: SweepOptions, answered: WeakSet<object>, now: number): void {
  const limitMs = o.seconds * 1000;
  // Oldest first; each answered request stays in flight until its response closes.
  const overdue = requests.inFlight().filter((r) => now - r.startMs > limitMs && !answered.has(r.res));
  let inFlight = row.inFlight();
  for (const { res, entry, startMs } of overdue) {
    answered.add(res);
    row.harakiri();
    // The head goes out now: the watchdog, should the thread block next, must not add a 504.
    row.headSent(entry);
    const req = res.req;
    const ranMs = now - startMs;
    o.log.error(
      { event: 'harakiri', worker: o.workerId, thread: o.thread, method: req.method, uri: req.url, ranMs, stuck: false, inFlight: inFlight-- },
      `harakiri: ${escapeText(`${req.method} ${req.url}`)} ran ${ranMs} ms (limit ${o.seconds} s); stopped`,
    );
    // Answered for the app, which is shut out of the response from now on: its own late
    // answer (setHeader, writeHead, end) must neither throw nor reach the socket.
    if (!answerForApp(res, 504, '504 Gateway Timeout\n')) res.destroy();
  }
}
