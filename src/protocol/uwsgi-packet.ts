/**
 * The uwsgi request packet: a 4-byte header (u8 modifier1, u16le datasize, u8 modifier2), then
 * `datasize` bytes of vars (u16le keylen, key, u16le vallen, val; no terminator), then the body.
 *
 * Pure: bytes in, result out. Stateless, so a caller that accumulates chunks may call
 * parsePacket again with everything received and get the same answer for any split. Failures are
 * returned as coded results, never thrown, because they come from the network.
 */

import { ProtocolErrorStatus, type ProtocolStatus } from './errors.js';
import { failure as fail, type ProtocolError } from './failure.js';
import { knownKey } from './known-keys.js';
import { newVars, shapedVars } from './vars-shapes.js';

export type { ProtocolError };

export const HEADER_SIZE = 4;
export const MODIFIER_REQUEST = 0;
export const MODIFIER_PING = 100;
/** The datasize field is 16 bits, so no vars block (and no sensible buffer-size) is larger. */
export const MAX_BLOCK_SIZE = 65535;

/** Vars as an object that inherits nothing (see vars-shapes.ts); a key sent several times is joined: HTTP_COOKIE with "; ", every other key with ", " (as an HTTP server joins repeated headers). */
export type UwsgiVars = Record<string, string>;

export interface UwsgiLimits {
  /** Largest vars block accepted, in bytes (uWSGI's buffer-size). */
  bufferSize: number;
}

export interface NeedMore { kind: 'need-more' }
export interface PingPacket { kind: 'ping' }
export interface RequestPacket {
  kind: 'request';
  modifier1: 0;
  modifier2: number;
  vars: UwsgiVars;
  /** Vars as received, before duplicates were joined; vars with an empty key are not counted. */
  varCount: number;
  /** 4 + datasize: where the body starts in the buffer. */
  headerLength: number;
}
export type ParseResult = NeedMore | RequestPacket | PingPacket | ProtocolError;

// Shared because they carry no data: the hot path allocates nothing while waiting for bytes.
// Frozen, since every caller gets the same object.
export const NEED_MORE: NeedMore = Object.freeze({ kind: 'need-more' });
const PING: PingPacket = Object.freeze({ kind: 'ping' });

export function parsePacket(buf: Buffer, limits: UwsgiLimits): ParseResult {
  if (buf.length < HEADER_SIZE) return NEED_MORE;
  const modifier1 = buf[0]!;
  const modifier2 = buf[3]!;
  const dataSize = buf[1]! | (buf[2]! << 8);
  // Before the size check: "GET " reads as a 21573-byte block, and "too big" would mislead.
  if (modifier1 !== MODIFIER_REQUEST) {
    const refused = refuseModifier(buf, modifier1, modifier2);
    if (refused !== null) return refused;
  }
  if (dataSize > limits.bufferSize) {
    return fail('E_PROTO_TOO_BIG', `uwsgi vars block of ${dataSize} bytes exceeds buffer-size ${limits.bufferSize}: ` +
      `raise buffer-size (max ${MAX_BLOCK_SIZE})`);
  }
  const end = HEADER_SIZE + dataSize;
  if (buf.length < end) return NEED_MORE;
  // A ping's block carries nothing we use; it was only waited for so that it is consumed.
  if (modifier1 === MODIFIER_PING) return PING;
  return parseVars(buf, end, modifier2);
}

/** null when the packet is a ping; an error for anything else that is not a request. */
function refuseModifier(buf: Buffer, modifier1: number, modifier2: number): ProtocolError | null {
  if (modifier1 === MODIFIER_PING) {
    if (modifier2 === 0) return null;
    return fail('E_PROTO_MODIFIER', `unsupported uwsgi modifier1 100 with modifier2 ${modifier2}: ` +
      'only modifier2 0 (ping) is served');
  }
  // Only the header is quoted: an answer must not depend on how many bytes had arrived.
  if (looksLikeHttp(buf)) {
    return fail('E_PROTO_HTTP_ON_UWSGI', 'HTTP request on a uwsgi socket: point nginx at it with uwsgi_pass, ' +
      `or use http-socket (request starts ${JSON.stringify(buf.toString('latin1', 0, HEADER_SIZE))})`);
  }
  // 0x16 0x03 is a TLS handshake record: someone pointed https:// (or proxy_pass https) here.
  if (modifier1 === 0x16 && buf[1] === 0x03) {
    return fail('E_PROTO_HTTP_ON_UWSGI', 'TLS handshake on a uwsgi socket: terminate TLS in the front end ' +
      '(nginx) and point it here with uwsgi_pass');
  }
  return fail('E_PROTO_MODIFIER', `unsupported uwsgi modifier1 ${modifier1} (modifier2 ${modifier2}): ` +
    'only 0 (request) and 100 (ping) are served');
}

/**
 * An HTTP method is an upper-case token ("GET ", "POST", "M-SEARCH", "PRI " of HTTP/2), so the
 * first byte is a letter (never modifier 0 or 100) and the next three are letters, '-' or ' '.
 */
function looksLikeHttp(buf: Buffer): boolean {
  return isUpper(buf[0]!) && isMethodByte(buf[1]!) && isMethodByte(buf[2]!) && isMethodByte(buf[3]!);
}

function isUpper(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}

function isMethodByte(b: number): boolean {
  return isUpper(b) || b === 0x20 || b === 0x2d;
}

// Reused by every parse (a thread parses one packet at a time): the keys and values in order.
// They keep the last packet's strings alive until the next parse. Emptied after a packet of more
// than SCRATCH_KEPT vars, so a hostile packet of thousands of tiny vars leaves no entries behind
// that a later, smaller packet would not overwrite (they would keep that block alive for good).
const scratchKeys: string[] = [];
const scratchValues: string[] = [];
const SCRATCH_KEPT = 256;

function parseVars(buf: Buffer, end: number, modifier2: number): RequestPacket | ProtocolError {
  const keys = scratchKeys;
  const values = scratchValues;
  let n = 0;
  let allKnown = true;
  // One decode of the whole block, then substrings: latin1 maps byte i to char i, so offsets
  // agree, and slicing a string is far cheaper than one native decode per key and value.
  // Values of 13+ chars share the block string's memory while they live, at most 64 KiB.
  const text = end > HEADER_SIZE ? buf.toString('latin1', 0, end) : '';
  let pos = HEADER_SIZE;
  while (pos < end) {
    if (pos + 2 > end) {
      return badVars(`1 stray byte at offset ${pos} after the last var (a var needs at least 4 bytes)`);
    }
    const keyLength = buf[pos]! | (buf[pos + 1]! << 8);
    const keyStart = pos + 2;
    const keyEnd = keyStart + keyLength;
    if (keyEnd > end) {
      return badVars(`key length ${keyLength} at offset ${pos} runs past the end of the block (offset ${end})`);
    }
    if (keyEnd + 2 > end) {
      return badVars(`the block ends inside the value length of key ${quoteKey(text, keyStart, keyEnd)} ` +
        `at offset ${keyEnd}`);
    }
    const valueLength = buf[keyEnd]! | (buf[keyEnd + 1]! << 8);
    const valueStart = keyEnd + 2;
    pos = valueStart + valueLength;
    if (pos > end) {
      return badVars(`value length ${valueLength} of key ${quoteKey(text, keyStart, keyEnd)} at offset ${keyEnd} ` +
        `runs past the end of the block (offset ${end})`);
    }
    // uWSGI: "uwsgi key cannot be null. skip this var."
    if (keyLength === 0) continue;
    let key = knownKey(buf, keyStart, keyLength);
    if (key === undefined) {
      key = text.slice(keyStart, keyEnd);
      allKnown = false;
    }
    keys[n] = key;
    values[n] = text.slice(valueStart, pos);
    n++;
  }
  const vars = shapedVars(keys, values, n, allKnown) ?? joinedVars(keys, values, n);
  if (n > SCRATCH_KEPT) {
    keys.length = 0;
    values.length = 0;
  }
  return { kind: 'request', modifier1: MODIFIER_REQUEST, modifier2, vars, varCount: n, headerLength: end };
}

/** The vars one by one: a key sent several times is joined, HTTP_COOKIE with "; ", others with ", ". */
function joinedVars(keys: readonly string[], values: readonly string[], n: number): UwsgiVars {
  const vars = newVars();
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const previous = vars[key];
    vars[key] = previous === undefined ? values[i]! : previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + values[i]!;
  }
  return vars;
}

function quoteKey(text: string, start: number, end: number): string {
  return JSON.stringify(end - start > 64 ? text.slice(start, start + 64) + '...' : text.slice(start, end));
}

function badVars(detail: string): ProtocolError {
  return fail('E_PROTO_VARS', `malformed uwsgi vars block: ${detail}`);
}

/**
 * The error to report when the peer closed while parsePacket still said 'need-more', given the
 * bytes that had arrived. uWSGI logs "invalid uwsgi request (current strsize: N). skip."
 */
export function truncationError(received: Buffer): ProtocolError {
  const n = received.length;
  if (n < HEADER_SIZE) {
    return fail('E_PROTO_TRUNCATED', `connection closed after ${n} of the ${HEADER_SIZE} bytes of the uwsgi header`);
  }
  const total = HEADER_SIZE + (received[1]! | (received[2]! << 8));
  return fail('E_PROTO_TRUNCATED', `connection closed after ${n} of the ${total} bytes of the uwsgi header ` +
    'and vars block');
}

export type BodyLengthError = ProtocolError & { status: ProtocolStatus };

/**
 * Length of the body announced by CONTENT_LENGTH ('' or missing: 0). limitPost 0 means no limit.
 * Only plain digits are accepted: front ends send the number they validated, and anything else
 * (a sign, spaces, two joined values "5, 5") must not be guessed at, or body framing goes wrong.
 */
export function bodyLength(vars: UwsgiVars, limitPost: number): number | BodyLengthError {
  const raw = vars['CONTENT_LENGTH'];
  if (raw === undefined || raw === '') return 0;
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const digit = raw.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) {
      return failWithStatus('E_PROTO_BAD_LENGTH', `CONTENT_LENGTH ${quoteValue(raw)} is not a number of bytes`);
    }
    length = length * 10 + digit;
    if (length > Number.MAX_SAFE_INTEGER) {
      return failWithStatus('E_PROTO_BAD_LENGTH', `CONTENT_LENGTH ${quoteValue(raw)} is larger than ` +
        `${Number.MAX_SAFE_INTEGER}`);
    }
  }
  if (limitPost > 0 && length > limitPost) {
    return failWithStatus('E_PROTO_BODY_TOO_BIG', `request body of ${length} bytes (CONTENT_LENGTH) exceeds ` +
      `limit-post ${limitPost}: raise limit-post`);
  }
  return length;
}

function failWithStatus(code: 'E_PROTO_BAD_LENGTH' | 'E_PROTO_BODY_TOO_BIG', message: string): BodyLengthError {
  return { kind: 'error', code, message, status: ProtocolErrorStatus[code] };
}

function quoteValue(raw: string): string {
  return JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + '...' : raw);
}
