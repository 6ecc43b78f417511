/**
 * From uwsgi vars to the HTTP request head an app sees: method, URL, headers. Pure, like the
 * packet parser, and as strict as Node's HTTP parser is on http-socket, so that a raw uwsgi
 * client cannot hand an app something no HTTP client could: a header name that is not a token,
 * a value with CR, LF or NUL (a fetch app's `new Headers()` throws on those, answering 500), a
 * request without a method. nginx never sends such vars; anything that does is answered 400
 * before the app runs.
 */
import { failure, type ProtocolError } from './failure.js';
import type { UwsgiVars } from './uwsgi-packet.js';

export interface RequestHead {
  readonly method: string;
  readonly url: string;
  /** HTTP/1.0 when SERVER_PROTOCOL says so, else 1.1. */
  readonly http10: boolean;
  readonly headers: Record<string, string>;
  /** name, value, name, value … as IncomingMessage.rawHeaders. */
  readonly rawHeaders: string[];
}

/** Header name of a var: a string, NOT_A_HEADER for CGI vars, or INVALID (HTTP_ but no token). */
const NOT_A_HEADER = null;
const INVALID = '';
type HeaderName = string | typeof NOT_A_HEADER;

/** HTTP_X_FORWARDED_FOR → x-forwarded-for, computed once per distinct var name. */
const headerNames = new Map<string, HeaderName>();
/** Random var names from a hostile peer must not grow the cache without bound. */
const MAX_CACHED_NAMES = 4096;

function headerName(key: string): HeaderName {
  let name = headerNames.get(key);
  if (name === undefined) {
    name = computeHeaderName(key);
    if (headerNames.size < MAX_CACHED_NAMES) headerNames.set(key, name);
  }
  return name;
}

function computeHeaderName(key: string): HeaderName {
  if (!key.startsWith('HTTP_')) return NOT_A_HEADER;
  const name = key.slice(5).toLowerCase().replace(/_/g, '-');
  // nginx de-chunks uploads but still passes the client's Transfer-Encoding; the body on the
  // wire is plain, so handing the header on would make body parsers misread it. The CONTENT_*
  // vars, not their HTTP_* copies, are authoritative.
  if (name === 'transfer-encoding' || name === 'content-length' || name === 'content-type') return NOT_A_HEADER;
  return isToken(name) ? name : INVALID;
}

// RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** What Node's checkInvalidHeaderChar rejects: controls other than TAB, and DEL. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A request-target has no spaces or controls (Node's parser rejects them too). */
const BAD_TARGET = /[^\x21-\x7e\x80-\xff]/;

export function requestHead(vars: UwsgiVars, bodyLength: number): RequestHead | ProtocolError {
  const method = vars.REQUEST_METHOD;
  if (method === undefined || method === '') {
    return failure('E_PROTO_NO_METHOD', 'uwsgi packet without REQUEST_METHOD: not a request a front end sends');
  }
  if (!isToken(method)) return badVar('REQUEST_METHOD', method);
  const url = vars.REQUEST_URI || requestUri(vars);
  if (BAD_TARGET.test(url)) return badVar(vars.REQUEST_URI ? 'REQUEST_URI' : 'PATH_INFO/QUERY_STRING', url);
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const key in vars) {
    const name = headerName(key);
    if (name === NOT_A_HEADER) continue;
    const value = vars[key]!;
    if (name === INVALID) return badVar(key, value, 'is not a valid header name');
    if (BAD_VALUE.test(value)) return badVar(key, value);
    headers[name] = value;
    rawHeaders.push(name, value);
  }
  const type = vars.CONTENT_TYPE;
  if (type) {
    if (BAD_VALUE.test(type)) return badVar('CONTENT_TYPE', type);
    headers['content-type'] = type;
    rawHeaders.push('content-type', type);
  }
  if (bodyLength > 0 || vars.CONTENT_LENGTH) {
    const length = String(bodyLength);
    headers['content-length'] = length;
    rawHeaders.push('content-length', length);
  }
  return { method, url, http10: vars.SERVER_PROTOCOL === 'HTTP/1.0', headers, rawHeaders };
}

function requestUri(vars: UwsgiVars): string {
  const path = vars.PATH_INFO || '/';
  return vars.QUERY_STRING ? `${path}?${vars.QUERY_STRING}` : path;
}

function badVar(key: string, value: string, why = 'has a character no HTTP request may carry'): ProtocolError {
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  const name = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key);
  return failure('E_PROTO_BAD_VAR', `uwsgi var ${name} ${why} (value ${shown})`);
}
