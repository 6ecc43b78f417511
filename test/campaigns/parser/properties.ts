/**
 * The invariants of the pure protocol module, as a table of properties shared by the short
 * seeded run in `npm test` (test/unit/protocol/uwsgi-packet/property.test.ts) and the long campaign
 * (`npm run fuzz`, test/campaigns/fuzz-parser.ts).
 *
 * Each property is a generator of inputs plus a `check` that throws on a violation. A check is
 * a plain function of a JSON-serialisable input, so a failing input found by the campaign is
 * saved as a fixture (test/fixtures/packets/found/) and replayed by a unit test as is.
 *
 * To put a new pure function under the campaign (the vars validation, say), add one entry to
 * PROPERTIES: the unit test and `npm run fuzz` pick it up.
 */
import { isDeepStrictEqual } from 'node:util';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { ErrorCodes, ErrorStatus } from '../../../src/shared/errors';
import {
  HEADER_SIZE, UwsgiFramer, bodyLength, encodePacket, parsePacket, requestHead,
  type FramerResult, type ParseResult, type UwsgiVars,
} from '../../../src/protocol';
// Internal to the protocol (the framer's end() reports it), under the campaign all the same.
import { truncationError } from '../../../src/protocol/uwsgi-packet';
import { inheritsNothing, joinPairs, referenceDecode } from '../../unit/protocol/helpers';
import {
  bufferSizeArb, chunkSizesArb, contentLengthArb, cut, packetBytesArb, pairsArb, structuredPacketArb, valueArb,
} from './arbitraries';

export interface Property<T> {
  /** Stable: it names fixtures and selects properties on the command line. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (with a message saying which invariant) when the input breaks the property. */
  readonly check: (input: T) => void;
  /** The outcome an input leads to, tallied by the campaign to show the generators reach each. */
  readonly classify?: (input: T) => string;
}

class Violation extends Error {}

function violated(what: string): never {
  throw new Violation(what);
}

/** Runs a function under test; a throw is the "never throws" invariant broken, said as such. */
function noThrow<R>(what: string, f: () => R): R {
  try {
    return f();
  } catch (err) {
    if (err instanceof Violation) throw err;
    return violated(`${what} threw ${(err as Error)?.stack ?? String(err)}`);
  }
}

const dataSize = (b: Buffer): number => b[1]! | (b[2]! << 8);

/** Every answer is one of the four kinds; an error carries a catalogued code and its status. */
function checkTyped(r: ParseResult | FramerResult, bufferSize: number, bytes: Buffer): void {
  switch (r.kind) {
    case 'need-more':
    case 'ping':
      return;
    case 'request':
      return checkRequest(r.vars, r.varCount, r.headerLength, bufferSize, bytes);
    case 'error': {
      if (!(r.code in ErrorCodes)) violated(`error code ${String(r.code)} is not in src/shared/errors.ts`);
      if (typeof r.message !== 'string' || r.message === '') violated(`error ${r.code} without a message`);
      if (r.status !== ErrorStatus[r.code]) violated(`error ${r.code} has status ${r.status}, the catalogue says ${ErrorStatus[r.code]}`);
      return;
    }
    default:
      violated(`result of unknown kind ${JSON.stringify(r)}`);
  }
}

/** A request never holds more than it was sent: vars fit in the declared block. */
function checkRequest(vars: UwsgiVars, varCount: number, headerLength: number, bufferSize: number, bytes: Buffer): void {
  const size = dataSize(bytes);
  if (headerLength !== HEADER_SIZE + size) violated(`headerLength ${headerLength} for a block of ${size}`);
  if (size > bufferSize) violated(`a block of ${size} bytes accepted with buffer-size ${bufferSize}`);
  if (!inheritsNothing(vars)) violated('vars inherit something (a "__proto__" or "constructor" key would reach it)');
  let held = 0;
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string') violated(`var ${JSON.stringify(k)} is not a string`);
    held += k.length + v.length;
  }
  if (held > size) violated(`vars hold ${held} chars of keys and values, more than the ${size}-byte block`);
  if (Object.keys(vars).length > varCount) violated(`${Object.keys(vars).length} vars from ${varCount} records`);
}

function withoutRest(r: FramerResult): ParseResult {
  if (!('rest' in r)) return r;
  const { rest: _rest, ...plain } = r;
  return plain as ParseResult;
}

export interface BytesInput { bytes: Buffer; bufferSize: number }
export interface SplitInput extends BytesInput { sizes: number[] }
export interface PrefixInput extends BytesInput { prefix: number }

const bytesInputArb: fc.Arbitrary<BytesInput> = fc.record({ bytes: packetBytesArb, bufferSize: bufferSizeArb });

function outcome({ bytes, bufferSize }: BytesInput): string {
  const r = parsePacket(bytes, { bufferSize });
  return r.kind === 'error' ? r.code : r.kind;
}

const parseTyped: Property<BytesInput> = {
  name: 'parse-typed',
  arbitrary: bytesInputArb,
  classify: outcome,
  check: ({ bytes, bufferSize }) => {
    const r = noThrow('parsePacket', () => parsePacket(bytes, { bufferSize }));
    checkTyped(r, bufferSize, bytes);
    if (r.kind === 'need-more' && bytes.length > 0) {
      const t = noThrow('truncationError', () => truncationError(bytes));
      if (t.code !== 'E_PROTO_TRUNCATED') violated(`truncationError gave ${t.code}`);
    }
  },
};

const parsePrefix: Property<PrefixInput> = {
  name: 'parse-prefix',
  arbitrary: bytesInputArb.chain((i) => fc.integer({ min: 0, max: i.bytes.length }).map((prefix) => ({ ...i, prefix }))),
  check: ({ bytes, bufferSize, prefix }) => {
    const full = noThrow('parsePacket', () => parsePacket(bytes, { bufferSize }));
    const part = noThrow('parsePacket', () => parsePacket(bytes.subarray(0, prefix), { bufferSize }));
    if (part.kind !== 'need-more' && !isDeepStrictEqual(part, full)) {
      violated(`the first ${prefix} bytes answer ${JSON.stringify(part)}, all ${bytes.length} answer ${JSON.stringify(full)}`);
    }
  },
};

const parseReference: Property<BytesInput> = {
  name: 'parse-reference',
  arbitrary: fc.record({ bytes: fc.oneof(structuredPacketArb, packetBytesArb), bufferSize: fc.constant(65535) }),
  check: ({ bytes, bufferSize }) => {
    const r = noThrow('parsePacket', () => parsePacket(bytes, { bufferSize }));
    if (bytes.length < HEADER_SIZE || bytes[0] !== 0 || bytes.length < HEADER_SIZE + dataSize(bytes)) return;
    const pairs = referenceDecode(bytes);
    if (pairs === null) {
      if (r.kind !== 'error' || r.code !== 'E_PROTO_VARS') violated(`a malformed block answered ${JSON.stringify(r)}`);
      return;
    }
    if (r.kind !== 'request') return violated(`a well-formed block answered ${JSON.stringify(r)}`);
    if (!isDeepStrictEqual({ ...r.vars }, { ...joinPairs(pairs) })) violated('vars differ from the reference decoder');
    if (r.varCount !== pairs.filter(([k]) => k !== '').length) violated(`varCount ${r.varCount} for ${pairs.length} pairs`);
  },
};

const splitInputArb: fc.Arbitrary<SplitInput> = fc.record({ bytes: packetBytesArb, bufferSize: bufferSizeArb, sizes: chunkSizesArb });

/** Feeds the chunks; checks the bound on what is held after every push. */
function feed(framer: UwsgiFramer, chunks: readonly Buffer[], bufferSize: number): { result: FramerResult; after: Buffer[] } {
  for (let i = 0; i < chunks.length; i++) {
    const result = noThrow('UwsgiFramer.push', () => framer.push(chunks[i]!));
    const pending = (framer as unknown as { pending: Buffer | null }).pending;
    const bound = HEADER_SIZE + bufferSize;
    if (framer.bytesPending > bound) violated(`framer holds ${framer.bytesPending} bytes, bound ${bound}`);
    if (pending !== null && pending.length > Math.max(bound, HEADER_SIZE)) {
      violated(`framer allocated ${pending.length} bytes, bound ${bound}`);
    }
    if (result.kind !== 'need-more') return { result, after: chunks.slice(i + 1) };
  }
  return { result: { kind: 'need-more' }, after: [] };
}

const framerSplit: Property<SplitInput> = {
  name: 'framer-split',
  arbitrary: splitInputArb,
  classify: outcome,
  check: ({ bytes, bufferSize, sizes }) => {
    const whole = noThrow('parsePacket', () => parsePacket(bytes, { bufferSize }));
    const framer = new UwsgiFramer({ bufferSize });
    const chunks = cut(bytes, sizes);
    const { result, after } = feed(framer, chunks, bufferSize);
    checkTyped(result, bufferSize, bytes);
    if (!isDeepStrictEqual(withoutRest(result), whole)) {
      violated(`split ${chunks.map((c) => c.length).join(',')} answers ${JSON.stringify(withoutRest(result))}, whole ${JSON.stringify(whole)}`);
    }
    if (result.kind === 'need-more') {
      const end = noThrow('UwsgiFramer.end', () => framer.end());
      const expected = bytes.length === 0 ? null : truncationError(bytes);
      if (!isDeepStrictEqual(end, expected)) violated(`end() gave ${JSON.stringify(end)}, expected ${JSON.stringify(expected)}`);
      return;
    }
    if (result.kind === 'request' || result.kind === 'ping') {
      const consumed = HEADER_SIZE + dataSize(bytes);
      const rest = Buffer.concat([result.rest, ...after]);
      if (!rest.equals(bytes.subarray(consumed))) violated(`the bytes after the packet differ (${rest.length} vs ${bytes.length - consumed})`);
    }
  },
};

export interface StreamInput { bufferSize: number; chunks: Buffer[] }

/** A header that fits buffer-size, then a stream of anything: what a slow hostile peer sends. */
const framerBounded: Property<StreamInput> = {
  name: 'framer-bounded',
  arbitrary: bufferSizeArb.chain((bufferSize) =>
    fc.record({
      bufferSize: fc.constant(bufferSize),
      chunks: fc.tuple(
        fc.integer({ min: 0, max: bufferSize }),
        fc.constantFrom(0, 100, 0, 7),
        fc.array(fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)), { maxLength: 20 }),
      ).map(([size, m1, rest]) => [Buffer.from([m1, size & 0xff, size >> 8, 0]), ...rest]),
    })),
  check: ({ bufferSize, chunks }) => {
    const framer = new UwsgiFramer({ bufferSize });
    const split = chunks.flatMap((c) => cut(c, [1, 3, 7, 500]));
    feed(framer, split, bufferSize);
  },
};

export interface PairsInput { pairs: [string, string][] }

const roundTrip: Property<PairsInput> = {
  name: 'encode-round-trip',
  arbitrary: fc.record({ pairs: pairsArb.filter((ps) => ps.reduce((n, [k, v]) => n + 4 + k.length + v.length, 0) <= 65535) }),
  check: ({ pairs }) => {
    const bytes = encodePacket(pairs);
    const r = noThrow('parsePacket', () => parsePacket(bytes, { bufferSize: 65535 }));
    if (r.kind !== 'request') return violated(`an encoded packet answered ${JSON.stringify(r)}`);
    if (r.headerLength !== bytes.length) violated(`headerLength ${r.headerLength} for ${bytes.length} bytes`);
    if (!isDeepStrictEqual({ ...r.vars }, { ...joinPairs(pairs) })) {
      violated(`vars ${JSON.stringify(r.vars)} are not the pairs joined (cookies "; ", others ", ")`);
    }
    if (r.varCount !== pairs.filter(([k]) => k !== '').length) violated(`varCount ${r.varCount}`);
  },
};

export interface BodyLengthInput { contentLength: string | null; limitPost: number }

const bodyLengthTyped: Property<BodyLengthInput> = {
  name: 'body-length',
  arbitrary: fc.record({
    contentLength: fc.option(contentLengthArb, { nil: null }),
    limitPost: fc.oneof(fc.constantFrom(0, 1, 65536, 1048576), fc.nat()),
  }),
  check: ({ contentLength, limitPost }) => {
    const vars = Object.create(null) as UwsgiVars;
    if (contentLength !== null) vars['CONTENT_LENGTH'] = contentLength;
    const r = noThrow('bodyLength', () => bodyLength(vars, limitPost));
    const digits = contentLength !== null && /^[0-9]+$/.test(contentLength);
    const value = digits ? Number(contentLength) : 0;
    if (typeof r === 'number') {
      if (!Number.isSafeInteger(r) || r < 0) violated(`length ${r}`);
      if (limitPost > 0 && r > limitPost) violated(`length ${r} over limit-post ${limitPost}`);
      if (contentLength !== null && contentLength !== '' && (!digits || r !== value)) violated(`${JSON.stringify(contentLength)} read as ${r}`);
      return;
    }
    if (r.kind !== 'error') violated(`answer ${JSON.stringify(r)}`);
    if (r.code === 'E_PROTO_BODY_TOO_BIG') {
      if (r.status !== 413 || !digits || limitPost === 0 || value <= limitPost) violated(`413 for ${JSON.stringify(contentLength)} (limit ${limitPost})`);
    } else if (r.code === 'E_PROTO_BAD_LENGTH') {
      if (r.status !== 400 || (digits && Number.isSafeInteger(value))) violated(`400 for ${JSON.stringify(contentLength)}`);
    } else violated(`code ${r.code}`);
  },
};

export interface HeadInput { pairs: [string, string][]; body: number }

/**
 * What reaches an app is what an HTTP parser would let through: Node's own header validators
 * (http.validateHeaderName / validateHeaderValue, an implementation independent of ours) are
 * the oracle for every header; method and target are checked like Node's parser checks them.
 */
const requestHeadChecked: Property<HeadInput> = {
  name: 'request-head',
  arbitrary: fc.record({
    pairs: fc.tuple(fc.option(fc.tuple(fc.constant('REQUEST_METHOD'), valueArb), { nil: undefined }), pairsArb)
      .map(([method, rest]) => (method === undefined ? rest : [method, ...rest])),
    body: fc.oneof(fc.constant(0), fc.nat()),
  }),
  classify: ({ pairs, body }) => {
    const h = requestHead(joinPairs(pairs), body);
    return 'kind' in h ? h.code : 'head';
  },
  check: ({ pairs, body }) => {
    const vars = joinPairs(pairs);
    const h = noThrow('requestHead', () => requestHead(vars, body));
    if ('kind' in h) {
      if (h.kind !== 'error' || (h.code !== 'E_PROTO_NO_METHOD' && h.code !== 'E_PROTO_BAD_VAR') || h.status !== 400) {
        violated(`refusal ${JSON.stringify(h)}`);
      }
      if (/[\r\n]/.test(h.message)) violated('a refusal message carries CR or LF');
      return;
    }
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.method)) violated(`method ${JSON.stringify(h.method)} is not a token`);
    if (/[^\x21-\x7e\x80-\xff]/.test(h.url)) violated(`target ${JSON.stringify(h.url)} has a space or a control`);
    if (h.rawHeaders.length !== 2 * Object.keys(h.headers).length) violated('rawHeaders and headers disagree');
    for (let i = 0; i < h.rawHeaders.length; i += 2) {
      const [name, value] = [h.rawHeaders[i]!, h.rawHeaders[i + 1]!];
      noThrow(`validateHeaderName(${JSON.stringify(name)})`, () => validateHeaderName(name));
      noThrow(`validateHeaderValue(${JSON.stringify(name)}, ${JSON.stringify(value)})`, () => validateHeaderValue(name, value));
      if (name !== name.toLowerCase() || h.headers[name] !== value) violated(`header ${name} differs between headers and rawHeaders`);
    }
    if (h.headers['transfer-encoding'] !== undefined) violated('Transfer-Encoding reached the app');
    if (h.headers['content-length'] !== undefined && h.headers['content-length'] !== String(body)) violated('content-length is not the body length');
  },
};

// Heterogeneous table: each entry's input type is its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PROPERTIES: readonly Property<any>[] = [
  parseTyped, parsePrefix, parseReference, framerSplit, framerBounded, roundTrip, bodyLengthTyped, requestHeadChecked,
];

export function findProperty(name: string): Property<unknown> {
  const p = PROPERTIES.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no property ${JSON.stringify(name)}: ${PROPERTIES.map((x) => x.name).join(', ')}`);
  return p;
}
