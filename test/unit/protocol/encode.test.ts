import { expect } from 'chai';
import {
  HEADER_SIZE, MODIFIER_PING, MODIFIER_REQUEST, encodePacket, encodePing, encodePong, parsePacket,
} from '../../../src/protocol/index.js';
import { LIMITS, joinPairs, prng } from './helpers.js';

describe('protocol/encode', () => {
  it('exports the protocol constants', () => {
    expect([HEADER_SIZE, MODIFIER_REQUEST, MODIFIER_PING]).to.deep.equal([4, 0, 100]);
  });

  it('writes the header and vars byte for byte (little-endian lengths, no terminator)', () => {
    expect([...encodePacket({ A: 'bc' })]).to.deep.equal([0, 7, 0, 0, 1, 0, 0x41, 2, 0, 0x62, 0x63]);
    expect([...encodePacket([], 5, 9)]).to.deep.equal([5, 0, 0, 9]);
  });

  it('writes a 300-byte length as 2c 01', () => {
    const buf = encodePacket({ K: 'v'.repeat(300) });
    expect([...buf.subarray(0, 4)]).to.deep.equal([0, 0x31, 0x01, 0]); // 2 + 1 + 2 + 300 = 305 = 0x131
    expect([...buf.subarray(7, 9)]).to.deep.equal([0x2c, 0x01]);
  });

  it('encodes a ping as 64 00 00 00 and a pong as 64 00 00 01, fresh buffers each time', () => {
    expect(encodePing().toString('hex')).to.equal('64000000');
    expect(encodePong().toString('hex')).to.equal('64000001');
    expect(encodePing()).to.not.equal(encodePing());
  });

  it('keeps the order and repeats of [key, value] pairs', () => {
    const r = parsePacket(encodePacket([['B', '1'], ['A', '2'], ['B', '3']]), LIMITS);
    if (r.kind !== 'request') expect.fail(JSON.stringify(r));
    expect(Object.keys(r.vars)).to.deep.equal(['B', 'A']);
    expect(r.vars['B']).to.equal('1, 3');
    expect(r.varCount).to.equal(3);
  });

  it('accepts a 65535-byte block and throws past it', () => {
    expect(encodePacket({ K: 'v'.repeat(65535 - 5) }).length).to.equal(65539);
    expect(() => encodePacket({ K: 'v'.repeat(65535 - 4) })).to.throw(RangeError, /65536 bytes exceeds/);
  });

  it('throws on modifiers outside 0..255', () => {
    for (const m of [-1, 256, 1.5, Number.NaN]) {
      expect(() => encodePacket({}, m)).to.throw(RangeError, /modifier1/);
      expect(() => encodePacket({}, 0, m)).to.throw(RangeError, /modifier2/);
    }
  });

  it('throws on chars above U+00FF instead of mangling them, and on non-strings', () => {
    expect(() => encodePacket({ K: 'caf\u00e9' })).to.not.throw();
    expect(() => encodePacket({ K: '\u20ac' })).to.throw(RangeError, /U\+00FF/);
    expect(() => encodePacket({ '\u0100': 'v' })).to.throw(RangeError, /key/);
    expect(() => encodePacket({ K: 5 as unknown as string })).to.throw(TypeError);
  });

  it('round-trips 500 random var sets', () => {
    const rand = prng(42);
    const alphabet = ['A', 'Z', '_', '0', ' ', ';', ',', '=', '\x00', '\xff', '\xe9', 'HTTP_COOKIE', 'HTTP_HOST', ''];
    const word = (): string => Array.from({ length: rand.int(6) }, () => rand.pick(alphabet)).join('');
    for (let i = 0; i < 500; i++) {
      const pairs = Array.from({ length: rand.int(30) }, (): [string, string] => [rand.next() < 0.3 ? rand.pick(['HTTP_COOKIE', 'K', 'HTTP_HOST']) : word(), word()]);
      const m2 = rand.int(256);
      const r = parsePacket(encodePacket(pairs, 0, m2), LIMITS);
      if (r.kind !== 'request') expect.fail(`set ${i}: ${JSON.stringify(r)}`);
      expect({ ...r.vars }, `set ${i}`).to.deep.equal({ ...joinPairs(pairs) });
      expect(Object.keys(r.vars), `set ${i}`).to.deep.equal(Object.keys(joinPairs(pairs)));
      expect(r.varCount).to.equal(pairs.filter(([k]) => k !== '').length);
      expect(r.modifier2).to.equal(m2);
    }
  });
});
