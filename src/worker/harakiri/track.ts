/**
 * The app thread's side of harakiri: keep the heartbeat fresh, note each request it starts,
 * and stop requests that overrun while the thread itself is fine (an awaited call that never
 * settles). A thread stuck in synchronous code is the watchdog's job (watchdog.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger';
import { RequestSlots } from './request-slots';
import { answerForApp } from '../../server/response';

const BEAT_MS = 100;
const SWEEP_MS = 500;

export interface HarakiriTracker {
  track(req: IncomingMessage, res: ServerResponse): void;
}

interface InFlight {
  readonly start: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

export function startTracking(
  buffer: SharedArrayBuffer,
  thread: number,
  seconds: number,
  log: Logger,
  workerId: number,
  onHarakiri: () => void = () => undefined,
): HarakiriTracker {
  const slots = new RequestSlots(buffer);
  const limitMs = seconds * 1000;
  const inFlight = new Set<InFlight>();
  slots.beat(thread);
  setInterval(() => slots.beat(thread), BEAT_MS).unref();
  setInterval(() => {
    const now = Date.now();
    for (const r of inFlight) {
      if (now - r.start <= limitMs) continue;
      inFlight.delete(r);
      onHarakiri();
      log.error(
        { event: 'harakiri', worker: workerId, thread, method: r.req.method, uri: r.req.url, ranMs: now - r.start, stuck: false },
        `harakiri: ${r.req.method} ${r.req.url} ran ${now - r.start} ms (limit ${seconds} s); stopped`,
      );
      // Answered for the app, which is shut out of the response from now on: its own late
      // answer (setHeader, writeHead, end) must neither throw nor reach the socket.
      if (!answerForApp(r.res, 504, '504 Gateway Timeout\n')) r.res.destroy();
    }
  }, SWEEP_MS).unref();

  return {
    track(req, res) {
      const fd = (req.socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd ?? -1;
      slots.begin(thread, fd, req.method ?? '', req.url ?? '');
      const entry: InFlight = { start: Date.now(), req, res };
      inFlight.add(entry);
      const writeHead = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        slots.headSent(thread);
        return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['writeHead'];
      const done = (): void => {
        inFlight.delete(entry);
        slots.clear(thread);
      };
      res.once('finish', done);
      req.socket.once('close', done);
    },
  };
}
