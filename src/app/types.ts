import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Node request listener: plain `(req, res)`, an Express app, `koaApp.callback()`, Connect. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A fetch-style app (Hono, itty-router …): an object with `fetch(Request) → Response`. */
export interface FetchApp {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>;
}

/** What a module may export as its callable: an http.Server (app/node-server.ts) and a Fastify instance (load.ts) too. */
export type AppCallable = NodeListener | FetchApp | { callback(): NodeListener } | { ready(): Promise<unknown>; routing: NodeListener } | import('node:http').Server;

/** The app as every worker thread runs it: always a Node listener. */
export interface LoadedApp {
  readonly listener: NodeListener;
  readonly kind: 'node' | 'fetch' | 'koa' | 'fastify' | 'server';
  /**
   * The http.Server the app exported (app/node-server.ts), or a Fastify instance's, if any:
   * it gets 'upgrade' and 'connect' for the connections the app takes over.
   */
  readonly server?: EventEmitter;
  /** Something the module offers that tsuwsgi does not run, worth one line at load. */
  readonly unserved?: string;
  /** Where it came from, for log lines. */
  readonly source: string;
}
