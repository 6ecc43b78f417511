/**
 * Polls the sockets' accept queues once a second and logs a warning when one is full (the
 * kernel is then refusing or dropping connections: nginx shows 502 or EAGAIN). One `ss` run per
 * second, in the master only; never per request.
 */
import type { Logger } from '../../shared/logger';
import type { BoundSocket } from '../sockets';
import { readListenQueues, type SocketQueue } from './listen-queues';
import { QueueFullTracker } from './queue-full';

export const POLL_MS = 1000;

export interface QueueWatch {
  /** Samples that found a queue full so far (listen_queue_errors). */
  fullSamples(): number;
  /** The last sample (one per socket, in order) and when it was taken, if any. */
  latest(): { readonly at: number; readonly queues: readonly SocketQueue[] } | undefined;
  stop(): void;
}

export function watchListenQueues(sockets: readonly BoundSocket[], backlog: number, log: Logger): QueueWatch {
  const tracker = new QueueFullTracker();
  let busy = false;
  let latest: { at: number; queues: readonly SocketQueue[] } | undefined;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    readListenQueues(sockets.map((s) => ({ fd: s.fd, kind: s.address.kind, backlog })))
      .then((queues) => {
        latest = { at: Date.now(), queues };
        const samples = sockets.map((s, i) => ({ name: s.name, queue: queues[i].queue, max: queues[i].max }));
        for (const s of tracker.observe(samples, Date.now())) {
          log.warn(
            { event: 'listen-queue-full', socket: s.name, queue: s.queue, max: s.max },
            `listen queue of socket ${s.name} is full (${s.queue}/${s.max}): new connections are refused or dropped; add processes or threads, or raise listen`,
          );
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, POLL_MS);
  timer.unref();
  return { fullSamples: () => tracker.fullSamples, latest: () => latest, stop: () => clearInterval(timer) };
}
