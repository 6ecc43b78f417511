/**
 * The figures a worker sends the master for the stats server, one set per app thread ("core"
 * in uWSGI's words): a wire contract between worker/scoreboard (which reads them from shared
 * memory) and master/stats (which turns them into uWSGI's JSON and Prometheus text).
 */

/** Upper bounds (seconds) of the latency histogram buckets; a last bucket holds the rest (+Inf). */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** One app thread's figures (plain data: crosses IPC). */
export interface CoreFigures {
  /** Responses finished (a response cut short is a write error instead). */
  readonly requests: number;
  readonly exceptions: number;
  /** Responses by status class: [1xx, 2xx, 3xx, 4xx, 5xx]. */
  readonly statusClasses: readonly number[];
  readonly txBytes: number;
  /** Sum of response times, µs. */
  readonly responseMicros: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly harakiri: number;
  /** Requests per latency bucket (not cumulative), LATENCY_BUCKETS_S then +Inf. */
  readonly latencyBuckets: readonly number[];
  /** Requests in progress on this thread (an async app serves several at once). */
  readonly inFlight: number;
  /** Open connections the app took over (WebSocket, CONNECT): in flight until they close. */
  readonly upgraded: number;
  /** The oldest request in progress, if any (its path only, unless stats-vars). */
  readonly current: { readonly startMs: number; readonly method: string; readonly uri: string; readonly vars: number } | undefined;
}
