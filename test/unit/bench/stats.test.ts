import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { median, spread, maxOrNull, ratio, summarize, ratios } = benchLib('stats');

describe('bench/stats', () => {
  describe('median', () => {
    it('is the middle value of an odd count, in any order', () => {
      expect(median([3])).to.equal(3);
      expect(median([5, 1, 3])).to.equal(3);
      expect(median([10, 30, 20, 50, 40])).to.equal(30);
    });
    it('is the mean of the two middle values of an even count', () => {
      expect(median([1, 2])).to.equal(1.5);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
    });
    it('sorts numerically, not as strings', () => {
      expect(median([100, 9, 20])).to.equal(20);
    });
    it('ignores null, undefined, NaN and Infinity; null when nothing is left', () => {
      expect(median([null, 4, undefined, NaN, 8, Infinity])).to.equal(6);
      expect(median([])).to.equal(null);
      expect(median([null, NaN])).to.equal(null);
    });
    it('does not reorder its input', () => {
      const v = [3, 1, 2];
      median(v);
      expect(v).to.deep.equal([3, 1, 2]);
    });
  });

  describe('spread', () => {
    it('is [min, max]', () => {
      expect(spread([3, 1, 2])).to.deep.equal([1, 3]);
      expect(spread([7])).to.deep.equal([7, 7]);
      expect(spread([-1, 0])).to.deep.equal([-1, 0]);
    });
    it('ignores missing values; null when none', () => {
      expect(spread([null, 5, NaN, 2])).to.deep.equal([2, 5]);
      expect(spread([])).to.equal(null);
    });
  });

  describe('maxOrNull', () => {
    it('is the largest finite value, or null', () => {
      expect(maxOrNull([0.1, 0.3, null, 0.2])).to.equal(0.3);
      expect(maxOrNull([0])).to.equal(0);
      expect(maxOrNull([null, undefined])).to.equal(null);
    });
  });

  describe('ratio', () => {
    it('divides', () => {
      expect(ratio(30, 20)).to.equal(1.5);
      expect(ratio(0, 5)).to.equal(0);
    });
    it('is null when either side is missing or the divisor is 0', () => {
      expect(ratio(null, 1)).to.equal(null);
      expect(ratio(1, null)).to.equal(null);
      expect(ratio(undefined, 1)).to.equal(null);
      expect(ratio(1, 0)).to.equal(null);
      expect(ratio(NaN, 1)).to.equal(null);
      expect(ratio(1, Infinity)).to.equal(null);
      expect(ratio('3', 1)).to.equal(null);
    });
  });

  describe('summarize', () => {
    const pass = (rps: number, extra: object = {}) => ({ rps, p50: rps / 10000, p99: rps / 1000, errors: 0, requests: rps * 5, peakPssKb: rps / 100, ...extra });

    it('takes the median req/s, the spread, median percentiles, summed errors and the peak PSS', () => {
      const s = summarize([pass(10000, { errors: 2, peakPssKb: 50 }), pass(12000, { errors: 3, peakPssKb: 70 }), pass(11000, { peakPssKb: 60 })]);
      expect(s.passes).to.equal(3);
      expect(s.failed).to.equal(0);
      expect(s.rps).to.equal(11000);
      expect(s.rpsSpread).to.deep.equal([10000, 12000]);
      expect(s.p50).to.equal(1.1);
      expect(s.p99).to.equal(11);
      expect(s.errors).to.equal(5);
      expect(s.requests).to.equal(165000);
      expect(s.peakPssKb).to.equal(70);
      expect(s.idlePssKb).to.equal(null);
      expect(s.errorsText).to.deep.equal([]);
      expect(s.otherMax).to.equal(null);
    });

    it('keeps the worst share of CPU other processes used during a pass', () => {
      const s = summarize([pass(1, { other: { share: 0.02, top: [] } }), pass(2, { other: { share: 0.4, top: [] } }), pass(3, { other: null })]);
      expect(s.otherMax).to.equal(0.4);
    });

    it('leaves failed passes out of every figure but counts them', () => {
      const s = summarize([pass(10000), { error: 'backend exited' }, pass(20000)]);
      expect(s.passes).to.equal(3);
      expect(s.failed).to.equal(1);
      expect(s.rps).to.equal(15000);
      expect(s.rpsSpread).to.deep.equal([10000, 20000]);
      expect(s.errorsText).to.deep.equal(['backend exited']);
    });

    it('has null figures when every pass failed', () => {
      const s = summarize([{ error: 'a' }, { error: 'b' }]);
      expect(s.failed).to.equal(2);
      expect(s.rps).to.equal(null);
      expect(s.rpsSpread).to.equal(null);
      expect(s.errors).to.equal(null);
      expect(s.peakPssKb).to.equal(null);
      expect(s.errorsText).to.deep.equal(['a', 'b']);
    });

    it('takes the median of idle PSS (the PSS-only rows)', () => {
      const s = summarize([{ idlePssKb: 100 }, { idlePssKb: 300 }, { idlePssKb: 200 }]);
      expect(s.idlePssKb).to.equal(200);
      expect(s.rps).to.equal(null);
      expect(s.peakPssKb).to.equal(null);
    });

    it('group 13: the idle PSS after the load with the median rest and the most workers left', () => {
      const s = summarize([{ rps: 1, idlePssKb: 100, idleWaitS: 9, idleWorkers: 1 }, { rps: 1, idlePssKb: 120, idleWaitS: 12, idleWorkers: 2 }, { error: 'x', idleWorkers: 4 }]);
      expect([s.idlePssKb, s.idleWaitS, s.idleWorkers]).to.deep.equal([110, 10.5, 2]);
      expect([summarize([{ rps: 1 }]).idleWaitS, summarize([{ rps: 1 }]).idleWorkers]).to.deep.equal([null, null]);
    });

    it('a step-load row keeps its (one) pass\'s timeline and step figures; other rows have none', () => {
      const step = { failed: 0, maxWorkers: 4 };
      const s = summarize([{ rps: 900, timeline: [{ t: 0 }], step }]);
      expect(s.timeline).to.deep.equal([{ t: 0 }]);
      expect(s.step).to.equal(step);
      expect([summarize([{ rps: 1 }]).timeline, summarize([{ rps: 1 }]).step]).to.deep.equal([null, null]);
    });

    it('treats a pass without errors/requests fields as zero', () => {
      const s = summarize([{ rps: 5 }]);
      expect(s.errors).to.equal(0);
      expect(s.requests).to.equal(0);
    });
  });

  describe('ratios', () => {
    it('divides the median req/s by each reference row\'s', () => {
      expect(ratios({ rps: 50 }, { nginx: { rps: 100 }, flask: { rps: 25 } })).to.deep.equal({ nginx: 0.5, flask: 2 });
    });
    it('is null for a missing reference or a missing own figure', () => {
      expect(ratios({ rps: 50 }, { nginx: undefined, flask: { rps: null } })).to.deep.equal({ nginx: null, flask: null });
      expect(ratios({ rps: null }, { nginx: { rps: 1 } })).to.deep.equal({ nginx: null });
      expect(ratios(undefined, { nginx: { rps: 1 } })).to.deep.equal({ nginx: null });
    });
    it('is exactly 1 for a row against itself', () => {
      const s = { rps: 1234.5 };
      expect(ratios(s, { self: s })).to.deep.equal({ self: 1 });
    });
  });
});
