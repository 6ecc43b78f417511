/**
 * Watches a worker's app threads from a thread that is not running the app. A thread is stuck
 * when the oldest request in flight on it has run past harakiri and its heartbeat is stale (so
 * its own sweep, sweep.ts, cannot stop that request). Then every request in flight on it whose
 * head has not gone out gets a 504 (fds are process-wide), one line names the oldest request,
 * and `onStuck` ends the thread (threads > 1: terminate it; threads = 1: end the process).
 */
import type { Logger } from '../../shared/logger';
import { escapeText } from '../../shared/text-escape';
import type { Scoreboard, StuckThread } from '../scoreboard/scoreboard';
import { answerTimeout } from './answer-timeout';

const CHECK_MS = 250;
/**
 * A heartbeat older than this means the thread has missed its beats (every 100 ms) and its
 * sweeps (every 500 ms): it is blocked. Shorter than harakiri itself, so that a request that
 * awaited for a while and then blocked is stopped near the limit, not a whole limit later.
 */
const STALE_MS = 1000;

export function startWatchdog(
  board: Scoreboard,
  seconds: number,
  workerId: number,
  log: Logger,
  onStuck: (stuck: StuckThread) => void,
): () => void {
  const limitMs = seconds * 1000;
  const staleMs = Math.min(STALE_MS, limitMs);
  const timer = setInterval(() => {
    for (const s of board.stuck(limitMs, staleMs)) {
      // Not checked again until a new thread takes the row; counted here, as it cannot count itself.
      board.retire(s.thread);
      board.countHarakiri(s.thread);
      let answered = 0;
      for (const r of s.inFlight) if (answerTimeout(r.fd, r.headSent)) answered++;
      const { oldest } = s;
      const others = s.inFlight.length - 1 + s.overflow;
      log.error(
        {
          event: 'harakiri', worker: workerId, thread: s.thread, method: oldest.method, uri: oldest.uri, ranMs: oldest.requestMs,
          stuck: true, stuckMs: s.stuckMs, inFlight: others + 1, answered504: answered,
        },
        `harakiri: thread ${s.thread} stuck for ${s.stuckMs} ms; oldest request ${escapeText(`${oldest.method} ${oldest.uri}`)} ` +
          `running ${oldest.requestMs} ms (limit ${seconds} s), ${others} other(s) in flight; ${answered} answered 504`,
      );
      onStuck(s);
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
