/**
 * Building uwsgi packets: for tests, `tsuwsgi --ping`-style clients and tools. Not on the server's
 * hot path. Unlike parsing, bad input here is the caller's bug, so it throws.
 */

import { HEADER_SIZE, MAX_BLOCK_SIZE, MODIFIER_PING } from './uwsgi-packet.js';

export type VarsInput = Record<string, string> | readonly (readonly [string, string])[];

/** Header plus vars block (no body). Pairs keep their order and may repeat a key. */
export function encodePacket(vars: VarsInput, modifier1 = 0, modifier2 = 0): Buffer {
  checkByte('modifier1', modifier1);
  checkByte('modifier2', modifier2);
  const pairs = Array.isArray(vars) ? (vars as readonly (readonly [string, string])[]) : Object.entries(vars);
  let size = 0;
  for (const [key, value] of pairs) {
    checkLatin1('key', key);
    checkLatin1(`value of ${JSON.stringify(key)}`, value);
    size += 4 + key.length + value.length;
  }
  if (size > MAX_BLOCK_SIZE) {
    throw new RangeError(`uwsgi vars block of ${size} bytes exceeds the protocol's ${MAX_BLOCK_SIZE}`);
  }
  const buf = Buffer.allocUnsafe(HEADER_SIZE + size);
  writeHeader(buf, modifier1, size, modifier2);
  let pos = HEADER_SIZE;
  for (const [key, value] of pairs) {
    pos = buf.writeUInt16LE(key.length, pos);
    pos += buf.write(key, pos, 'latin1');
    pos = buf.writeUInt16LE(value.length, pos);
    pos += buf.write(value, pos, 'latin1');
  }
  return buf;
}

/** 64 00 00 00 */
export function encodePing(): Buffer {
  return writeHeader(Buffer.allocUnsafe(HEADER_SIZE), MODIFIER_PING, 0, 0);
}

/** 64 00 00 01: what uWSGI answers a ping with when it has no warning to add. */
export function encodePong(): Buffer {
  return writeHeader(Buffer.allocUnsafe(HEADER_SIZE), MODIFIER_PING, 0, 1);
}

function writeHeader(buf: Buffer, modifier1: number, size: number, modifier2: number): Buffer {
  buf[0] = modifier1;
  buf[1] = size & 0xff;
  buf[2] = size >> 8;
  buf[3] = modifier2;
  return buf;
}

function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${name} must be an integer from 0 to 255, got ${value}`);
  }
}

// The parser reads bytes as latin1; a char above U+00FF would be silently mangled by the write.
function checkLatin1(what: string, s: unknown): void {
  if (typeof s !== 'string') throw new TypeError(`uwsgi ${what} must be a string, got ${typeof s}`);
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u00ff]/.test(s)) {
    throw new RangeError(`uwsgi ${what} has a character above U+00FF: encode it as bytes (latin1) first`);
  }
}
