import { expect } from 'chai';
import { LogRateLimit } from '../../../src/shared/log-rate-limit';

describe('LogRateLimit', () => {
  it('lets `burst` lines through per window, counts the rest and reports them on the next line let through', () => {
    const limit = new LogRateLimit(3, 1000);
    const at0 = [0, 1, 2, 3, 4, 5].map((i) => limit.admit(i));
    expect(at0).to.deep.equal([0, 0, 0, undefined, undefined, undefined]);
    expect(limit.admit(999)).to.equal(undefined);
    // A new window: the first line says how many were dropped since the last one written.
    expect(limit.admit(1000)).to.equal(4);
    expect(limit.admit(1001)).to.equal(0);
  });

  it('a flood of a million costs a bounded number of lines', () => {
    const limit = new LogRateLimit(5, 10_000);
    let written = 0;
    for (let i = 0; i < 1_000_000; i++) if (limit.admit(i / 50) !== undefined) written++;
    // 20 s of flood: two windows of 5 lines each.
    expect(written).to.equal(10);
  });
});
