/** Shared by the protocol tests: a seeded PRNG, fixtures, and a slow reference decoder. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UwsgiFramer, type FramerResult, type ParseResult, type UwsgiLimits } from '../../../src/protocol/index.js';

export const LIMITS: UwsgiLimits = { bufferSize: 4096 };

/** mulberry32: tiny, fast, and the same sequence on every run for a given seed. */
export function prng(seed: number): { next(): number; int(max: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (max) => Math.floor(next() * max), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

export interface PacketFixture {
  name: string;
  bytes: Buffer;
  headerLength: number;
  varCount: number;
  modifier1: number;
  modifier2: number;
  pairs: [string, string][];
  body: string;
}

const FIXTURES = join(__dirname, '../../fixtures/packets/valid');

export function fixture(name: string): PacketFixture {
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Omit<PacketFixture, 'name' | 'bytes'>;
  return { ...meta, name, bytes: readFileSync(join(FIXTURES, `${name}.bin`)) };
}

export const NGINX_FIXTURES = ['nginx-get', 'nginx-post-form', 'nginx-post-chunked'];

/** A header for `block` with datasize = block.length, followed by the block. */
export function rawPacket(block: Buffer | number[], modifier1 = 0, modifier2 = 0): Buffer {
  const b = Buffer.isBuffer(block) ? block : Buffer.from(block);
  const head = Buffer.from([modifier1, b.length & 0xff, b.length >> 8, modifier2]);
  return Buffer.concat([head, b]);
}

/**
 * The spec written out plainly and slowly, as an oracle: the pairs of a complete modifier1-0
 * packet, or null when the block is malformed.
 */
export function referenceDecode(buf: Buffer): [string, string][] | null {
  const end = 4 + buf.readUInt16LE(1);
  const pairs: [string, string][] = [];
  let pos = 4;
  while (pos < end) {
    if (end - pos < 2) return null;
    const keyLength = buf.readUInt16LE(pos);
    if (pos + 2 + keyLength + 2 > end) return null;
    const key = buf.toString('latin1', pos + 2, pos + 2 + keyLength);
    pos += 2 + keyLength;
    const valueLength = buf.readUInt16LE(pos);
    if (pos + 2 + valueLength > end) return null;
    pairs.push([key, buf.toString('latin1', pos + 2, pos + 2 + valueLength)]);
    pos += 2 + valueLength;
  }
  return pairs;
}

/** What the vars object should be for these pairs: empty keys dropped, repeats joined. */
export function joinPairs(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of pairs) {
    if (key === '') continue;
    const previous = out[key];
    out[key] = previous === undefined ? value : previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + value;
  }
  return out;
}

/** A request packet whose vars block is exactly `size` bytes (size 0 or >= 5). */
export function packetWithBlockSize(size: number): Buffer {
  if (size === 0) return rawPacket([]);
  const value = 'v'.repeat(size - 5);
  return rawPacket(Buffer.concat([Buffer.from([1, 0, 0x58]), u16(value.length), Buffer.from(value, 'latin1')]));
}

export function u16(n: number): Buffer {
  return Buffer.from([n & 0xff, n >> 8]);
}

/** A result without the framer's `rest`, to compare with what parsePacket returned. */
export function withoutRest(result: FramerResult | ParseResult): ParseResult {
  if (!('rest' in result)) return result;
  const { rest: _rest, ...plain } = result;
  return plain as ParseResult;
}

/**
 * Feed chunks to a fresh framer until it answers; returns the answer and every byte after the
 * packet (the answering push's rest followed by the chunks never pushed).
 */
export function frame(chunks: Buffer[], limits: UwsgiLimits = LIMITS): { result: FramerResult; after: Buffer } {
  const framer = new UwsgiFramer(limits);
  for (let i = 0; i < chunks.length; i++) {
    const result = framer.push(chunks[i]!);
    if (result.kind === 'need-more') continue;
    const rest = 'rest' in result ? result.rest : Buffer.alloc(0);
    return { result, after: Buffer.concat([rest, ...chunks.slice(i + 1)]) };
  }
  return { result: { kind: 'need-more' }, after: Buffer.alloc(0) };
}

/** Split `buf` at random points into 1..n pieces, empty pieces included now and then. */
export function randomChunks(buf: Buffer, rand: ReturnType<typeof prng>): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const size = rand.next() < 0.1 ? 0 : 1 + rand.int(Math.min(64, buf.length - pos));
    chunks.push(buf.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

/**
 * A vars object inherits nothing: no Object.prototype in its chain, and every prototype in it
 * has no property of its own and is frozen (so no app can add one for every request).
 */
export function inheritsNothing(vars: object): boolean {
  for (let proto = Object.getPrototypeOf(vars) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (proto === Object.prototype || Reflect.ownKeys(proto).length > 0 || !Object.isFrozen(proto)) return false;
  }
  return true;
}
