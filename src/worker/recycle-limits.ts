/**
 * max-requests, max-requests-delta and reload-on-rss, checked after each request. The request
 * count is the worker's, summed over the rows of the scoreboard (every app thread counts its
 * own requests there, so no message per request); whichever thread sees a limit crossed asks
 * for a replacement, and the worker passes the first ask on, once.
 */
import type { Config } from '../shared/config';
import type { RecycleReason } from '../shared/ipc';
import type { Scoreboard } from './scoreboard/scoreboard';

export type AskRecycle = (reason: RecycleReason, detail: Record<string, number>) => void;

export interface RecycleLimits {
  readonly maxRequests: number;
  readonly rssBytes: number;
}

/** This worker's limits; undefined when none is set (then nothing runs per request). */
export function recycleLimits(config: Config, workerId: number): RecycleLimits | undefined {
  const maxRequests = config.maxRequests > 0 ? config.maxRequests + (workerId - 1) * config.maxRequestsDelta : 0;
  const rssBytes = config.reloadOnRss * 1024 * 1024;
  return maxRequests > 0 || rssBytes > 0 ? { maxRequests, rssBytes } : undefined;
}

/** The check run after each request of one app thread. */
export function afterRequestCheck(board: Scoreboard, limits: RecycleLimits, ask: AskRecycle): () => void {
  let asked = false;
  return () => {
    if (asked) return;
    if (limits.maxRequests > 0) {
      const served = board.totalStarted();
      if (served >= limits.maxRequests) {
        asked = true;
        ask('max-requests', { requests: served, limit: limits.maxRequests });
        return;
      }
    }
    if (limits.rssBytes > 0) {
      const rss = process.memoryUsage.rss();
      if (rss > limits.rssBytes) {
        asked = true;
        ask('reload-on-rss', { rssBytes: rss, limitBytes: limits.rssBytes });
      }
    }
  };
}
