import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Node request listener: plain `(req, res)`, an Express app, `koaApp.callback()`, Connect. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A fetch-style app (Hono, itty-router …): an object with `fetch(Request) → Response`. */
export interface FetchApp {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>;
}

/** What a module may export as its callable. */
export type AppCallable = NodeListener | FetchApp | { callback(): NodeListener } | { ready(): Promise<unknown>; routing: NodeListener };

/** The app as every worker thread runs it: always a Node listener. */
export interface LoadedApp {
  readonly listener: NodeListener;
  readonly kind: 'node' | 'fetch' | 'koa' | 'fastify';
  /** Where it came from, for log lines. */
  readonly source: string;
}
