/**
 * Keys that front ends send on nearly every request, kept as string constants.
 *
 * Why: a key sliced out of the packet is a fresh string, and storing it as a property makes V8
 * hash it and look it up in its string table through a runtime call, about 40 ns a key. Matching
 * the bytes against a constant in plain JS and storing the constant (already internalised) cut
 * the parse of a real nginx packet by about a fifth. A key not listed here still works: it is
 * sliced as usual.
 */

const KNOWN_KEYS: readonly string[] = [
  // nginx uwsgi_params (Debian adds HTTP_HOST), Apache's CGI set, uWSGI's router
  'QUERY_STRING', 'REQUEST_METHOD', 'CONTENT_TYPE', 'CONTENT_LENGTH', 'REQUEST_URI', 'PATH_INFO',
  'DOCUMENT_ROOT', 'SERVER_PROTOCOL', 'REQUEST_SCHEME', 'HTTPS', 'REMOTE_ADDR', 'REMOTE_PORT',
  'SERVER_PORT', 'SERVER_NAME', 'SCRIPT_NAME', 'SERVER_ADDR', 'SERVER_SOFTWARE', 'REMOTE_USER',
  'GATEWAY_INTERFACE', 'SCRIPT_FILENAME', 'PATH', 'SERVER_ADMIN', 'SERVER_SIGNATURE', 'UWSGI_ROUTER',
  // client headers browsers, curl and proxies send
  'HTTP_HOST', 'HTTP_USER_AGENT', 'HTTP_ACCEPT', 'HTTP_ACCEPT_LANGUAGE', 'HTTP_ACCEPT_ENCODING',
  'HTTP_COOKIE', 'HTTP_REFERER', 'HTTP_CONNECTION', 'HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH',
  'HTTP_TRANSFER_ENCODING', 'HTTP_AUTHORIZATION', 'HTTP_ORIGIN', 'HTTP_CACHE_CONTROL', 'HTTP_PRAGMA',
  'HTTP_UPGRADE_INSECURE_REQUESTS', 'HTTP_UPGRADE', 'HTTP_DNT', 'HTTP_RANGE', 'HTTP_IF_NONE_MATCH',
  'HTTP_IF_MODIFIED_SINCE', 'HTTP_X_FORWARDED_FOR', 'HTTP_X_FORWARDED_PROTO', 'HTTP_X_FORWARDED_HOST',
  'HTTP_X_REAL_IP', 'HTTP_X_REQUESTED_WITH', 'HTTP_SEC_FETCH_DEST', 'HTTP_SEC_FETCH_MODE',
  'HTTP_SEC_FETCH_SITE', 'HTTP_SEC_FETCH_USER', 'HTTP_SEC_CH_UA', 'HTTP_SEC_CH_UA_MOBILE',
  'HTTP_SEC_CH_UA_PLATFORM', 'HTTP_SEC_WEBSOCKET_KEY', 'HTTP_SEC_WEBSOCKET_VERSION',
  'HTTP_SEC_WEBSOCKET_EXTENSIONS', 'HTTP_SEC_WEBSOCKET_PROTOCOL', 'HTTP_PRIORITY', 'HTTP_TE',
];

const TABLE_SIZE = 256;
const EMPTY: readonly string[] = [];

/** Cheap to compute from the bytes; spreads the list above over buckets of at most 4 (a test checks). */
function slot(length: number, last: number, middle: number): number {
  return (length * 7 + last * 3 + middle) & (TABLE_SIZE - 1);
}

// Every slot holds an array (never undefined) so the lookup below stays monomorphic.
const TABLE: (readonly string[])[] = new Array<readonly string[]>(TABLE_SIZE).fill(EMPTY);
for (const key of KNOWN_KEYS) {
  const i = slot(key.length, key.charCodeAt(key.length - 1), key.charCodeAt(key.length >> 1));
  TABLE[i] = [...TABLE[i]!, key];
}

/**
 * The constant for the key in `buf[start, start + length)`, or undefined when it is not a known
 * key. `length` must be > 0 and the range inside `buf`.
 */
export function knownKey(buf: Buffer, start: number, length: number): string | undefined {
  const bucket = TABLE[slot(length, buf[start + length - 1]!, buf[start + (length >> 1)]!)]!;
  candidates: for (let i = 0; i < bucket.length; i++) {
    const key = bucket[i]!;
    if (key.length !== length) continue;
    for (let j = 0; j < length; j++) {
      if (key.charCodeAt(j) !== buf[start + j]) continue candidates;
    }
    return key;
  }
  return undefined;
}

const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_KEYS);

/** Whether `key` is one of the listed keys (vars-shapes.ts puts only those into code). */
export function isKnownKey(key: string): boolean {
  return KNOWN_SET.has(key);
}

/** For tests: the listed keys and the size of the fullest bucket. */
export const knownKeyStats = {
  keys: KNOWN_KEYS,
  largestBucket: (): number => Math.max(...TABLE.map((b) => b.length)),
};
