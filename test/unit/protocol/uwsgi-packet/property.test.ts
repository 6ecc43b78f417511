/**
 * The protocol invariants (test/campaigns/parser/properties.ts) under fast-check, seeded and
 * short enough for every `npm test`; `npm run fuzz` runs the same properties for 10^6 inputs.
 * A failure prints fast-check's seed and path; replay with `npm run fuzz -- --seed N`.
 */
import fc from 'fast-check';
import { PROPERTIES } from '../../../campaigns/parser/properties';

const SEED = 0x7575_7767;
const RUNS = 600;

describe('protocol: properties (fast-check, seeded)', () => {
  for (const p of PROPERTIES) {
    it(`${p.name}: ${RUNS} inputs (seed ${SEED})`, function () {
      this.timeout(30_000);
      fc.assert(fc.property(p.arbitrary, (input) => p.check(input)), { seed: SEED, numRuns: RUNS });
    });
  }
});
