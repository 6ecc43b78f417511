/**
 * The path a request is looked up by, uWSGI's PATH_INFO: decoded, without the query. On the
 * uwsgi socket it is the PATH_INFO var (nginx's `$document_uri`, already decoded and
 * normalised, so it is never decoded twice: a `%252e` stays `%2e`); on http-socket, where
 * no front end made one, it is decoded from the request target as uWSGI's http parser does.
 *
 * Runs for every GET and HEAD while static files are configured: no allocation unless the
 * target has a query or an escape.
 */
import type { IncomingMessage } from 'node:http';
import { kServerVars, type WithServerVars } from '../../app/server-vars';

/** Undefined: not a path a file can be looked up by (malformed escape, NUL, not origin-form). */
export function requestPath(req: IncomingMessage): string | undefined {
  const vars = (req as WithServerVars)[kServerVars];
  if (vars !== undefined) {
    const info = vars.PATH_INFO;
    if (info !== undefined && info !== '') return info.includes('\0') ? undefined : info;
  }
  return decodedPath(req.url ?? '');
}

export function decodedPath(target: string): string | undefined {
  // Absolute-form (a proxy's request) and `*` name no file of ours.
  if (target.charCodeAt(0) !== 0x2f /* / */) return undefined;
  const query = target.indexOf('?');
  const raw = query === -1 ? target : target.slice(0, query);
  if (!raw.includes('%')) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return decoded.includes('\0') ? undefined : decoded;
}
