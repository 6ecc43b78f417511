import type { Logger } from '../shared/logger';
import type { NodeListener } from '../app/types';

/** What one app thread needs to serve connections; built once per thread. */
export interface ServeContext {
  readonly listener: NodeListener;
  readonly bufferSize: number;
  readonly limitPost: number;
  /** socket-timeout: the longest wait for the peer, and the deadline of a whole head. */
  readonly socketTimeoutMs: number;
  /** http-timeout: the deadline of a whole request (its body, on the uwsgi socket). */
  readonly requestTimeoutMs: number;
  /** http-keepalive: seconds an idle keep-alive connection on http-socket is kept; 0 = every response closes. */
  readonly httpKeepalive: number;
  readonly log: Logger;
  readonly logRequests: boolean;
  /** With request lines off: which requests are still logged (log-4xx, log-5xx, log-slow). */
  readonly logOnly: { readonly status4xx: boolean; readonly status5xx: boolean; readonly slowMs: number } | undefined;
  /** log-format: builds the plain-text line, written with writeText. */
  readonly formatLine: ((f: import('../shared/log-format').RequestLogFields) => string) | undefined;
  readonly writeText: (line: string) => void;
  /** The logger's fast path for the request line (LogHandle.infoLine), when it has one. */
  readonly infoLine: ((jsonFields: string, msg: string) => void) | undefined;
  /** `,"thread":N` when the logger's bindings do not already carry the thread, else ''. */
  readonly threadField: string;
  readonly workerId: number;
  readonly threadIndex: number;
  /** Called when a response is finished, when recycling limits are set (recycle-limits.ts). */
  readonly afterRequest: (() => void) | undefined;
  /** Notes each request for harakiri (harakiri set), else undefined. */
  readonly harakiri: import('../worker/harakiri/track').HarakiriTracker | undefined;
  /** This worker's request counters (stats set), else undefined; the thread writes its own slot. */
  readonly stats: import('../worker/stats/core-slots').CoreSlots | undefined;
  /** Live figures of this thread, read when the master asks for the workers' state. */
  readonly live: ThreadLive;
  /** Open connections of this thread; a graceful stop waits for it to reach 0. */
  readonly connections: Set<import('node:net').Socket>;
}

export interface ThreadLive {
  requests: number;
  /** The response of the request this thread started last, and when (performance.now()). */
  last: import('node:http').ServerResponse | undefined;
  lastStart: number;
}
