import { expect } from 'chai';
import { knownKey, knownKeyStats } from '../../../src/protocol/known-keys.js';

/** The key's bytes placed at an offset inside a larger buffer, as in a packet. */
function at(key: string, offset = 7): Buffer {
  const buf = Buffer.alloc(offset + key.length + 5, 0x41);
  buf.write(key, offset, 'latin1');
  return buf;
}

describe('protocol/known-keys', () => {
  it('lists unique upper-case ASCII keys', () => {
    expect(new Set(knownKeyStats.keys).size).to.equal(knownKeyStats.keys.length);
    for (const key of knownKeyStats.keys) expect(key).to.match(/^[A-Z_]+$/);
  });

  it('keeps buckets small, so a lookup compares against a few keys at most', () => {
    expect(knownKeyStats.largestBucket()).to.be.at.most(4);
  });

  it('finds every listed key, returning the identical constant', () => {
    for (const key of knownKeyStats.keys) {
      expect(knownKey(at(key), 7, key.length), key).to.equal(key);
    }
  });

  it('finds nothing for a key differing in any one byte, or one byte shorter or longer', () => {
    for (const key of knownKeyStats.keys) {
      for (let i = 0; i < key.length; i++) {
        const changed = key.slice(0, i) + (key[i] === 'X' ? 'Y' : 'X') + key.slice(i + 1);
        expect(knownKey(at(changed), 7, key.length), changed).to.equal(undefined);
      }
      for (const sized of [key.slice(0, -1), `${key}A`]) {
        const expected = knownKeyStats.keys.includes(sized) ? sized : undefined;
        expect(knownKey(at(key), 7, sized.length), sized).to.equal(expected);
      }
    }
  });
});
