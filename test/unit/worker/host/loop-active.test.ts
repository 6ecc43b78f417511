/** The serving threads' event-loop busy time as one counter that never goes back. */
import { expect } from 'chai';
import { LoopActive } from '../../../../src/worker/host/loop-active';

describe('worker/host/loop-active', () => {
  it('sums each thread’s growth in µs', () => {
    const a = {};
    const b = {};
    const loop = new LoopActive();
    expect(loop.add([{ id: a, activeMs: 10 }, { id: b, activeMs: 5 }])).to.equal(15_000);
    expect(loop.add([{ id: a, activeMs: 12 }, { id: b, activeMs: 5.5 }])).to.equal(17_500);
  });

  it('keeps what a replaced thread did, and counts its successor from zero', () => {
    const old = {};
    const fresh = {};
    const loop = new LoopActive();
    loop.add([{ id: old, activeMs: 100 }]);
    expect(loop.add([{ id: fresh, activeMs: 3 }])).to.equal(103_000);
    // The old thread is forgotten: were the same object to come back, it would count from zero.
    expect(loop.add([{ id: fresh, activeMs: 3 }, { id: old, activeMs: 1 }])).to.equal(104_000);
  });

  it('never decreases, whatever a sample says', () => {
    const t = {};
    const loop = new LoopActive();
    loop.add([{ id: t, activeMs: 50 }]);
    expect(loop.add([{ id: t, activeMs: 40 }])).to.equal(50_000);
    expect(loop.add([])).to.equal(50_000);
  });
});
