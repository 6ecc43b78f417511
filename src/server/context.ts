import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../shared/logger';
import type { NodeListener } from '../app/types';
import type { RequestLogFields } from '../shared/log-format';
import type { StaticFiles } from './static/static-files';
import type { OpenConnections } from './connections';

/** What one app thread needs to serve connections; built once per thread (worker/serve-thread.ts). */
export interface ServeContext {
  readonly listener: NodeListener;
  /** The http.Server the app exported, if it did: it gets 'upgrade' and 'connect' (http-upgrade.ts). */
  readonly appServer: EventEmitter | undefined;
  readonly bufferSize: number;
  readonly limitPost: number;
  /** post-buffering (post-buffer.ts): every body is read whole before the app is called; undefined = off. */
  readonly postBuffering: PostBuffering | undefined;
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
  readonly formatLine: ((f: RequestLogFields) => string) | undefined;
  readonly writeText: (line: string) => void;
  /** The logger's fast path for the request line (LogHandle.infoLine), when it has one. */
  readonly infoLine: ((jsonFields: string, msg: string) => void) | undefined;
  /** `,"thread":N` when the logger's bindings do not already carry the thread, else ''. */
  readonly threadField: string;
  readonly workerId: number;
  readonly threadIndex: number;
  /** Told of every request the app gets, at its start and its end (runApp calls them). */
  readonly requests: RequestHooks;
  /** Counts requests that could not be read (stats set), else undefined. */
  readonly stats: ReadErrorCounter | undefined;
  /** Open connections of this thread; a graceful stop waits for it to reach 0. */
  readonly connections: OpenConnections;
  /** Those of them the app took over (WebSocket, CONNECT): http-upgrade.ts. */
  readonly upgraded: Set<Socket>;
  /** How long into a graceful stop upgraded connections may take to close before they are closed. */
  readonly upgradeMercyMs: number;
  /** static-map and its family, served before the app (run-app.ts); undefined when none is set. */
  readonly statics: StaticFiles | undefined;
}

/** post-buffering's settings (post-buffering, post-buffering-bufsize, post-buffering-dir). */
export interface PostBuffering {
  /** A body of at least this many bytes goes to a temp file; a smaller one stays in memory. */
  readonly threshold: number;
  /** Bytes gathered per write to the temp file, and read per read from it. */
  readonly bufsize: number;
  /** Where the temp files are created. */
  readonly dir: string;
}

/**
 * The worker's side of each request (worker/request-hooks.ts keeps the scoreboard with it):
 * `start` just before the app is called, `end` once, at the response's 'close' (finished when
 * `res.writableFinished`, else cut short). Both run for every request: keep them cheap.
 */
export interface RequestHooks {
  /** True when `end` wants the response time (stats): runApp then reads the clock at every end too. */
  readonly timed: boolean;
  /** `start`: performance.now() when the app is called (runApp's clock read, shared). */
  start(req: IncomingMessage, res: ServerResponse, start: number): void;
  /** `micros`: the response time when timed (or logged), else 0. */
  end(res: ServerResponse, micros: number): void;
  /** The app threw or rejected while handling a request. */
  exception(): void;
  /** Requests this thread has handed to the app so far (log-format's %(requests)). */
  count(): number;
}

export interface ReadErrorCounter {
  readError(thread: number): void;
}

/** Hooks that keep nothing: for a context built outside a worker (tests, bench backends). */
export const NO_REQUEST_HOOKS: RequestHooks = {
  timed: false,
  start: () => undefined,
  end: () => undefined,
  exception: () => undefined,
  count: () => 0,
};
