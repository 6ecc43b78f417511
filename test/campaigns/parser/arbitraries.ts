/**
 * fast-check generators of uwsgi input for the parser properties (and the live fuzzer): random
 * bytes, captured nginx packets with mutations, and structured packets whose length fields
 * (datasize, key and value lengths) are as wild as they are plausible. Every generator is a
 * plain fast-check arbitrary, so a run is replayed from its seed and a failure shrinks.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'packets', 'valid');

/** The packets nginx sent (header, vars block and body), read once. */
export const NGINX_PACKETS: readonly Buffer[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.bin'))
  .sort()
  .map((f) => fs.readFileSync(path.join(FIXTURES, f)));

/** buffer-size values: the edges (0, 1, 4) and the common settings. */
export const bufferSizeArb = fc.oneof(
  fc.constantFrom(0, 1, 4, 64, 4096, 8192, 65535),
  fc.integer({ min: 0, max: 65535 }),
);

const u16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];

/** A length field: mostly the true length, sometimes off by a little, sometimes anything. */
function lengthField(actual: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(actual) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }).map((d) => Math.max(0, Math.min(65535, actual + d))) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  );
}

const KEYS = ['REQUEST_METHOD', 'REQUEST_URI', 'CONTENT_LENGTH', 'HTTP_COOKIE', 'HTTP_HOST', 'HTTP_X_FORWARDED_FOR', 'PATH_INFO', ''];

/** Latin-1 text: what keys and values are on the wire (bytes read as latin1). */
export const latin1Arb = (maxLength: number): fc.Arbitrary<string> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a).toString('latin1'));

/** A key: a known one (so repeats and joins happen), a short one, or any bytes. */
export const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Z_]{1,12}$/) },
  { weight: 1, arbitrary: latin1Arb(24) },
);

export const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', 'GET', 'POST', '0', '12', '/', 'a=1', '-1', '5, 5', ' 7') },
  { weight: 3, arbitrary: latin1Arb(64) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2000 }).map((n) => 'v'.repeat(n)) },
);

/** Var pairs as a front end may send them, repeats included; encodable (block ≤ 65535 bytes). */
export const pairsArb = fc.array(fc.tuple(keyArb, valueArb), { maxLength: 40 });

/** One var record; when not honest its length fields may lie about the bytes that follow. */
const varRecordArb = (honest: boolean): fc.Arbitrary<number[]> =>
  fc
    .tuple(fc.uint8Array({ maxLength: 24 }), fc.uint8Array({ maxLength: 80 }))
    .chain(([key, value]) =>
      (honest ? fc.constant([key.length, value.length]) : fc.tuple(lengthField(key.length), lengthField(value.length)))
        .map(([kl, vl]) => [...u16(kl!), ...key, ...u16(vl!), ...value]),
    );

/**
 * A structured packet: modifiers from the interesting set, var records, a body. Half are honest
 * (every length true: the walk must accept them); the others have length fields that may lie.
 */
export const structuredPacketArb: fc.Arbitrary<Buffer> = fc.boolean().chain((honest) =>
  fc
    .tuple(
      fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      fc.array(varRecordArb(honest), { maxLength: 12 }),
      honest ? fc.constant(new Uint8Array(0)) : fc.uint8Array({ maxLength: 3 }),
      fc.uint8Array({ maxLength: 40 }),
    )
    .chain(([m1, m2, records, stray, body]) => {
      const block = [...records.flat(), ...stray];
      return (honest ? fc.constant(block.length) : lengthField(block.length)).map((size) => Buffer.from([m1, ...u16(size), m2, ...block, ...body]));
    }));

/** One edit of a byte string at position `at` modulo (length + 1), so that it fits any input. */
export type Mutation =
  | { op: 'set'; at: number; byte: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'u16'; at: number; value: number };

// Uniform over the packet, with one edit in eight aimed at the 4-byte header and the first var.
const at = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) },
  { weight: 7, arbitrary: fc.noBias(fc.integer({ min: 0, max: 1 << 20 })) },
);
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({ op: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('u16' as const), at, value: fc.oneof(fc.constantFrom(0, 1, 0xffff, 4096, 4097), fc.integer({ min: 0, max: 65535 })) }),
);

export function mutate(original: Buffer, mutations: readonly Mutation[]): Buffer {
  let buf = Buffer.from(original);
  for (const m of mutations) {
    const i = m.at % (buf.length + 1);
    switch (m.op) {
      case 'set': if (i < buf.length) buf[i] = m.byte; break;
      case 'flip': if (i < buf.length) buf[i]! ^= 1 << m.bit; break;
      case 'truncate': buf = buf.subarray(0, i); break;
      case 'insert': buf = Buffer.concat([buf.subarray(0, i), m.bytes, buf.subarray(i)]); break;
      case 'delete': buf = Buffer.concat([buf.subarray(0, i), buf.subarray(i + m.count)]); break;
      case 'u16': if (i + 1 < buf.length) buf.writeUInt16LE(m.value, i); break;
    }
  }
  return Buffer.from(buf);
}

/** A captured nginx packet with 1 to 4 edits; half the time its datasize is made to fit again. */
export const mutatedFixtureArb: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...NGINX_PACKETS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([packet, mutations, refit]) => {
    const buf = mutate(packet, mutations);
    // A consistent header makes the walk over the block, not the size check, decide.
    if (refit && buf.length >= 4) buf.writeUInt16LE(Math.min(buf.length - 4, 65535), 1);
    return buf;
  });

/** Bytes with no structure, first byte biased towards the modifiers that lead somewhere. */
export const randomBytesArb: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(0, 100, 0x47, 0x16, -1), fc.uint8Array({ maxLength: 300 }))
  .map(([first, bytes]) => {
    const buf = Buffer.from(bytes);
    if (first >= 0 && buf.length > 0) buf[0] = first;
    return buf;
  });

/** The three families, in the proportions the campaign uses. */
export const packetBytesArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 2, arbitrary: randomBytesArb },
  { weight: 3, arbitrary: structuredPacketArb },
  { weight: 3, arbitrary: mutatedFixtureArb },
);

/**
 * Chunk sizes to cut a byte string with (0 = an empty chunk); cycled when shorter than the
 * input, and the rest goes in the last chunk. Small sizes are common: a 1-byte split is the
 * hard case.
 */
export const chunkSizesArb = fc.array(
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 1000 }) }),
  { minLength: 1, maxLength: 16 },
);

export function cut(buf: Buffer, sizes: readonly number[], maxChunks = 100_000): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < buf.length && chunks.length < maxChunks - 1; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(buf.subarray(pos, pos + size));
    pos += size;
  }
  if (pos < buf.length) chunks.push(buf.subarray(pos));
  return chunks;
}

/** A CONTENT_LENGTH as front ends and attackers send it. */
export const contentLengthArb = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('', '0', '00', '-1', '+5', ' 5', '5 ', '5, 5', '1e3', '0x10', '9007199254740991', '9007199254740992', '9'.repeat(30)),
  fc.stringMatching(/^[0-9]{1,20}$/),
  latin1Arb(12),
);
