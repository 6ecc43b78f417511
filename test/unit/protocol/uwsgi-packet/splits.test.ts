import { expect } from 'chai';
import { encodePacket, encodePing, parsePacket, type ParseResult } from '../../../../src/protocol/index.js';
import {
  LIMITS, NGINX_FIXTURES, fixture, frame, packetWithBlockSize, prng, randomChunks, rawPacket, u16, withoutRest,
} from '../helpers.js';

interface Case { name: string; bytes: Buffer; packetLength: number; limits?: { bufferSize: number } }

function cases(): Case[] {
  const out: Case[] = NGINX_FIXTURES.map((name) => {
    const f = fixture(name);
    return { name, bytes: f.bytes, packetLength: f.headerLength };
  });
  const latin = encodePacket([['HTTP_X', 'caf\xe9'], ['', 'skip'], ['HTTP_COOKIE', 'a=1'], ['HTTP_COOKIE', 'b=2']]);
  const big = packetWithBlockSize(65535);
  const oneVarBody = Buffer.concat([encodePacket({ CONTENT_LENGTH: '3' }), Buffer.from('abc')]);
  return [
    ...out,
    { name: 'latin1 + empty key + cookies', bytes: latin, packetLength: latin.length },
    { name: 'request with a body', bytes: oneVarBody, packetLength: oneVarBody.length - 3 },
    { name: 'empty request', bytes: Buffer.from([0, 0, 0, 0, 9, 9]), packetLength: 4 },
    { name: '65535-byte block', bytes: big, packetLength: big.length, limits: { bufferSize: 65535 } },
    { name: 'ping', bytes: encodePing(), packetLength: 4 },
    { name: 'ping with a block, then more', bytes: Buffer.concat([rawPacket([1, 2], 100), encodePing()]), packetLength: 6 },
    { name: 'HTTP', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), packetLength: 4 },
    { name: 'too big', bytes: Buffer.concat([Buffer.from([0, 0x01, 0x10, 0]), Buffer.alloc(50)]), packetLength: 4 },
    { name: 'modifier 42', bytes: encodePacket({ A: 'b' }, 42), packetLength: 4 },
    { name: 'bad vars', bytes: rawPacket(Buffer.concat([u16(1), Buffer.from('K'), u16(50), Buffer.from('short')])), packetLength: 14 },
  ];
}

/** The prefix length at which the answer is known: 4 for errors decided by the header. */
function decisivePoint(c: Case, full: ParseResult): number {
  return full.kind === 'error' && full.code !== 'E_PROTO_VARS' ? 4 : c.packetLength;
}

describe('protocol: every split point gives the same result', () => {
  for (const c of cases()) {
    const limits = c.limits ?? LIMITS;
    const full = parsePacket(c.bytes, limits);
    // The big packet has 65k split points; a stride keeps the suite quick and still hits the edges.
    const points = (): number[] => {
      const all = Array.from({ length: c.bytes.length + 1 }, (_, i) => i);
      return c.bytes.length < 5000 ? all : all.filter((i) => i < 300 || i > c.bytes.length - 300 || i % 97 === 0);
    };

    it(`${c.name}: every prefix is need-more before the decisive byte, the full answer from it on`, () => {
      expect(full.kind).to.not.equal('need-more');
      const decisive = decisivePoint(c, full);
      for (const n of points()) {
        const r = parsePacket(c.bytes.subarray(0, n), limits);
        if (n < decisive) expect(r, `prefix ${n}`).to.deep.equal({ kind: 'need-more' });
        else expect(r, `prefix ${n}`).to.deep.equal(full);
      }
    });

    it(`${c.name}: the framer gives the same answer and the same leftover for any 2-chunk split`, () => {
      for (const n of points()) {
        const { result, after } = frame([c.bytes.subarray(0, n), c.bytes.subarray(n)], limits);
        expect(withoutRest(result), `split at ${n}`).to.deep.equal(full);
        if (full.kind !== 'error') expect(after.equals(c.bytes.subarray(c.packetLength)), `rest at ${n}`).to.equal(true);
      }
    });

    it(`${c.name}: the framer gives the same answer with 1-byte chunks`, () => {
      const chunks = Array.from({ length: c.bytes.length }, (_, i) => c.bytes.subarray(i, i + 1));
      const { result, after } = frame(chunks, limits);
      expect(withoutRest(result)).to.deep.equal(full);
      if (full.kind !== 'error') expect(after.equals(c.bytes.subarray(c.packetLength))).to.equal(true);
    });

    it(`${c.name}: the framer gives the same answer for 200 random chunkings`, () => {
      const rand = prng(0xc0ffee ^ c.bytes.length);
      for (let i = 0; i < 200; i++) {
        const chunks = randomChunks(c.bytes, rand);
        const { result, after } = frame(chunks, limits);
        expect(withoutRest(result), `chunking ${chunks.map((x) => x.length).join(',')}`).to.deep.equal(full);
        if (full.kind !== 'error') expect(after.equals(c.bytes.subarray(c.packetLength))).to.equal(true);
      }
    });
  }
});
