import { expect } from 'chai';
import { LOYAL_AFTER_MS, strikesAfter, throttleDelayMs, wasLoyal } from '../../../src/emperor/throttle';

describe('emperor/throttle', () => {
  const policy = { throttleMs: 1000, maxThrottleMs: 3500 };

  it('grows linearly by emperor-throttle per strike, as uWSGI\'s blacklist does, up to emperor-max-throttle', () => {
    expect([0, 1, 2, 3, 4, 50].map((s) => throttleDelayMs(s, policy))).to.deep.equal([0, 1000, 2000, 3000, 3500, 3500]);
  });

  it('a run is loyal only once it was ready for LOYAL_AFTER_MS; loyalty clears the strikes, anything else adds one', () => {
    const ready = 1_000;
    expect(wasLoyal({ readyAt: undefined, exitAt: 1e9 })).to.equal(false);
    expect(wasLoyal({ readyAt: ready, exitAt: ready + LOYAL_AFTER_MS - 1 })).to.equal(false);
    expect(wasLoyal({ readyAt: ready, exitAt: ready + LOYAL_AFTER_MS })).to.equal(true);
    expect(strikesAfter(3, { readyAt: ready, exitAt: ready + LOYAL_AFTER_MS })).to.equal(0);
    expect(strikesAfter(3, { readyAt: undefined, exitAt: ready })).to.equal(4);
    expect(strikesAfter(0, { readyAt: ready, exitAt: ready + 5 })).to.equal(1);
  });
});
