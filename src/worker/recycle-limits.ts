/**
 * max-requests, max-requests-delta and reload-on-rss, checked after each request. The request
 * count is shared by a worker's app threads (one Int32 in a SharedArrayBuffer, so no message per
 * request); whichever thread crosses a limit asks for a replacement, once.
 */
import type { Config } from '../config/types';

/** Why a worker asks for its replacement: a limit, or an uncaught exception (app-faults.ts). */
export const RECYCLE_REASONS = ['max-requests', 'reload-on-rss', 'max-worker-lifetime', 'uncaught-exception'] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number];
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

export function afterRequestCheck(counter: Int32Array, limits: RecycleLimits, ask: AskRecycle): () => void {
  let asked = false;
  return () => {
    const served = Atomics.add(counter, 0, 1) + 1;
    if (asked) return;
    if (limits.maxRequests > 0 && served >= limits.maxRequests) {
      asked = true;
      ask('max-requests', { requests: served, limit: limits.maxRequests });
      return;
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
