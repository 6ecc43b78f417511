/**
 * Seeded fuzzing: random and mutated packets never make the parser throw, every answer is one of
 * the result kinds, and it agrees with the slow reference decoder in helpers.ts. Change SEED to
 * explore; a failure message names the seed and iteration to replay.
 */

import { expect } from 'chai';
import { ErrorCodes } from '../../../../src/shared/errors.js';
import { encodePacket, parsePacket, type ParseResult, type UwsgiLimits } from '../../../../src/protocol/index.js';
import { NGINX_FIXTURES, fixture, frame, inheritsNothing, joinPairs, prng, randomChunks, referenceDecode, withoutRest } from '../helpers.js';

const SEED = 20240601;
const ITERATIONS = 4000;
type Rand = ReturnType<typeof prng>;

function randomBytes(rand: Rand, length: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = rand.int(256);
  return buf;
}

function randomValidPacket(rand: Rand): Buffer {
  const keys = ['HTTP_COOKIE', 'HTTP_HOST', 'REQUEST_URI', 'K', '', 'X\xff', 'HTTP_X_FORWARDED_FOR'];
  const pairs = Array.from({ length: rand.int(12) }, (): [string, string] => [
    rand.next() < 0.7 ? rand.pick(keys) : randomBytes(rand, rand.int(20)).toString('latin1'),
    randomBytes(rand, rand.int(40)).toString('latin1'),
  ]);
  return encodePacket(pairs);
}

const seeds = [
  ...NGINX_FIXTURES.map((name) => fixture(name).bytes),
  Buffer.from([100, 0, 0, 0]), Buffer.from([100, 3, 0, 0, 1, 2, 3]), Buffer.from('GET / HTTP/1.1\r\n'),
];

function mutate(rand: Rand, original: Buffer): Buffer {
  let buf = Buffer.from(original);
  for (let m = 1 + rand.int(3); m > 0; m--) {
    const at = rand.int(buf.length + 1);
    switch (rand.int(7)) {
      case 0: if (at < buf.length) buf[at] = rand.int(256); break; // overwrite a byte
      case 1: if (at < buf.length) buf[at]! ^= 1 << rand.int(8); break; // flip a bit
      case 2: buf = buf.subarray(0, at); break; // truncate
      case 3: buf = Buffer.concat([buf, randomBytes(rand, 1 + rand.int(8))]); break; // append garbage
      case 4: buf = Buffer.concat([buf.subarray(0, at), randomBytes(rand, 1 + rand.int(3)), buf.subarray(at)]); break;
      case 5: buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + rand.int(3))]); break; // delete
      default: if (at + 1 < buf.length) buf.writeUInt16LE(rand.int(65536), at); // a wild length field
    }
  }
  // Half the time, keep the header consistent so the walk over the block is what gets exercised.
  if (buf.length >= 4 && rand.next() < 0.5) buf.writeUInt16LE(Math.min(buf.length - 4, 65535), 1);
  return buf;
}

function input(rand: Rand): Buffer {
  switch (rand.int(5)) {
    case 0: {
      const buf = randomBytes(rand, rand.int(80));
      if (buf.length > 0) buf[0] = rand.pick([0, 0, 100, 0x47, rand.int(256)]);
      return buf;
    }
    case 1: {
      const block = randomBytes(rand, rand.int(60));
      return Buffer.concat([Buffer.from([0, block.length, 0, rand.int(256)]), block]);
    }
    case 2: return mutate(rand, randomValidPacket(rand));
    case 3: return mutate(rand, rand.pick(seeds));
    default: return randomValidPacket(rand);
  }
}

const KINDS = ['need-more', 'request', 'ping', 'error'];

function checkShape(r: ParseResult): void {
  expect(KINDS).to.include(r.kind);
  if (r.kind === 'error') {
    expect(Object.keys(ErrorCodes)).to.include(r.code);
    expect(r.message).to.be.a('string').and.not.equal('');
    if ('status' in r) expect(r.status).to.be.a('number');
  }
}

/** What the spec says the answer must be, worked out independently of the parser. */
function checkAgainstReference(buf: Buffer, limits: UwsgiLimits, r: ParseResult): void {
  if (buf.length < 4) return void expect(r.kind).to.equal('need-more');
  const size = buf.readUInt16LE(1);
  if (buf[0] !== 0) {
    if (buf[0] === 100 && buf[3] === 0) {
      const expected = size > limits.bufferSize ? 'error' : buf.length < 4 + size ? 'need-more' : 'ping';
      return void expect(r.kind).to.equal(expected);
    }
    expect(r.kind).to.equal('error');
    return void expect(['E_PROTO_MODIFIER', 'E_PROTO_HTTP_ON_UWSGI']).to.include((r as { code: string }).code);
  }
  if (size > limits.bufferSize) return void expect(r).to.include({ kind: 'error', code: 'E_PROTO_TOO_BIG' });
  if (buf.length < 4 + size) return void expect(r.kind).to.equal('need-more');
  const pairs = referenceDecode(buf);
  if (pairs === null) return void expect(r).to.include({ kind: 'error', code: 'E_PROTO_VARS' });
  if (r.kind !== 'request') expect.fail(`expected a request, got ${JSON.stringify(r)}`);
  expect(r.headerLength).to.equal(4 + size);
  expect(r.varCount).to.equal(pairs.filter(([k]) => k !== '').length);
  expect(inheritsNothing(r.vars)).to.equal(true);
  expect({ ...r.vars }).to.deep.equal({ ...joinPairs(pairs) });
  // Re-encoding the joined vars parses back to the same vars.
  const again = parsePacket(encodePacket(Object.entries(r.vars)), { bufferSize: 65535 });
  if (again.kind !== 'request') expect.fail(`re-encoded vars did not parse: ${JSON.stringify(again)}`);
  expect({ ...again.vars }).to.deep.equal({ ...r.vars });
}

describe('protocol: fuzz', () => {
  it(`${ITERATIONS} random and mutated packets (seed ${SEED})`, function () {
    this.timeout(60_000);
    const rand = prng(SEED);
    const counts: Record<string, number> = {};
    for (let i = 0; i < ITERATIONS; i++) {
      const buf = input(rand);
      const limits = { bufferSize: rand.pick([4096, 65535, 64, 0]) };
      const where = `seed ${SEED} iteration ${i}, input ${buf.toString('hex').slice(0, 120)}`;
      try {
        let r: ParseResult;
        try {
          r = parsePacket(buf, limits);
        } catch (thrown) {
          expect.fail(`parsePacket threw ${String(thrown)}`);
        }
        checkShape(r);
        checkAgainstReference(buf, limits, r);
        const key = r.kind === 'error' ? r.code : r.kind;
        counts[key] = (counts[key] ?? 0) + 1;

        // Stateless: a prefix either still waits or already gives the same answer.
        const prefix = parsePacket(buf.subarray(0, rand.int(buf.length + 1)), limits);
        if (prefix.kind !== 'need-more') expect(prefix).to.deep.equal(r);

        if (i % 8 === 0) expect(withoutRest(frame(randomChunks(buf, rand), limits).result)).to.deep.equal(r);
      } catch (err) {
        (err as Error).message = `${where}: ${(err as Error).message}`;
        throw err;
      }
    }
    // The generators must reach every outcome, or the oracle checks above prove little.
    for (const outcome of ['request', 'need-more', 'ping', 'E_PROTO_VARS', 'E_PROTO_TOO_BIG', 'E_PROTO_MODIFIER']) {
      expect(counts[outcome] ?? 0, `${outcome} in ${JSON.stringify(counts)}`).to.be.above(20);
    }
  });
});
