/**
 * Watches a worker's app threads from a thread that is not running the app: a thread whose
 * heartbeat is older than harakiri seconds while a request is on it is stuck, and `onStuck`
 * ends it (threads > 1: terminate that thread; threads = 1: end the process).
 */
import type { Logger } from '../../shared/logger';
import { RequestSlots, type StuckThread } from './request-slots';
import { answerTimeout } from './answer-timeout';

const CHECK_MS = 250;

export function startWatchdog(
  buffer: SharedArrayBuffer,
  seconds: number,
  workerId: number,
  log: Logger,
  onStuck: (stuck: StuckThread) => void,
): () => void {
  const slots = new RequestSlots(buffer);
  const timer = setInterval(() => {
    for (const s of slots.stuck(seconds * 1000)) {
      slots.clear(s.thread);
      const answered = answerTimeout(s.fd, s.headSent);
      log.error(
        { event: 'harakiri', worker: workerId, thread: s.thread, method: s.method, uri: s.uri, ranMs: s.requestMs, stuck: true, answered504: answered },
        `harakiri: thread ${s.thread} stuck for ${s.stuckMs} ms in ${s.method} ${s.uri} (running ${s.requestMs} ms, limit ${seconds} s)`,
      );
      onStuck(s);
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
