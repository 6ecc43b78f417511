/**
 * The hook between the uwsgi request builder (server/node-request.ts) and the fetch adapter's
 * URL (request-url.ts): the builder puts the request's vars on it under this symbol, and the URL
 * falls back to SERVER_NAME and SERVER_PORT (nginx's `$server_name`, `$server_port`) when the
 * Host header is unusable, and static files (server/static/) map PATH_INFO, as uWSGI does. A module of its own so that neither side imports the other.
 */
import type { IncomingMessage } from 'node:http';

export const kServerVars = Symbol('tsuwsgi.serverVars');

export interface ServerVars {
  readonly SERVER_NAME?: string;
  readonly SERVER_PORT?: string;
  /** nginx's `$document_uri`: the path decoded and normalised. */
  readonly PATH_INFO?: string;
}

export type WithServerVars = IncomingMessage & { [kServerVars]?: ServerVars };
