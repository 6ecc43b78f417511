/**
 * Inputs the parser campaign (`npm run fuzz`) found breaking a property, kept in
 * test/fixtures/packets/found/ and replayed here through the same property's check. The first
 * test guards the mechanism itself: what the campaign saves is what this file replays.
 */
import { expect } from 'chai';
import { fixture } from '../helpers';
import { findProperty } from '../../../campaigns/parser/properties';
import { loadFound, saveFound } from '../../../campaigns/parser/found';
import { tempDir } from '../../../support/tmp';

describe('protocol: inputs found by the fuzz campaign', () => {
  it('a saved input loads back byte for byte and replays through its property', () => {
    const dir = tempDir();
    const bytes = fixture('nginx-post-form').bytes;
    saveFound({ property: 'framer-split', found: 'self-test', input: { bytes, bufferSize: 4096, sizes: [1, 3] } }, dir);
    const [one, ...more] = loadFound(dir);
    expect(more).to.have.length(0);
    const input = one!.found.input as { bytes: Buffer; bufferSize: number; sizes: number[] };
    expect(Buffer.isBuffer(input.bytes) && input.bytes.equals(bytes)).to.equal(true);
    expect(input.sizes).to.deep.equal([1, 3]);
    findProperty(one!.found.property).check(input);
  });

  for (const { file, found } of loadFound()) {
    it(`${file} (${found.property}) holds now`, () => {
      findProperty(found.property).check(found.input);
    });
  }
});
