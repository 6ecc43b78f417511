import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { pairedTargets, groups, roundOrder, evaluatePaired } = benchLib('paired');
const { TARGETS, TARGETS_14, withTwins } = benchLib('targets');
const { allRows, withBaseline, withNodeBin } = benchLib('rows');

interface Row { id: string; pssOnly?: boolean; timeline?: unknown }
interface Target { label: string; num: string; den: string | null; metric: string; op: string | null; goal: number | null }

const t = (num: string, den: string | null, extra: Partial<Target> = {}): Target =>
  ({ label: `${num}/${den}`, num, den, metric: 'rps', op: '>=', goal: 1, ...extra });

describe('bench/paired', () => {
  describe('pairedTargets', () => {
    const rows: Row[] = [...['a', 'b', 'c', 'd'].map((id): Row => ({ id })), { id: 'p', pssOnly: true }, { id: 's', timeline: {} }];

    it('keeps req/s ratios with a goal whose two rows can run', () => {
      const picked = pairedTargets([
        t('a', 'b'),
        t('a', 'c', { op: null, goal: null }), // reported only
        t('a', 'd', { metric: 'peakPssKb' }), // not a speed
        t('a', null), // a value, not a ratio
        t('a', 'x'), // x not runnable
        t('p', 'a'), // PSS-only row
        t('s', 'a'), // timeline row
        t('c', 'd', { op: '<=' }),
      ], rows);
      expect(picked.map((x: Target) => `${x.num}/${x.den}`)).to.deep.equal(['a/b', 'c/d']);
    });

    it('keeps both goals of a pair that two targets name, and runs its rows once', () => {
      const both = pairedTargets([t('a', 'b', { goal: 1.3 }), t('a', 'b', { goal: 1.6 })], rows);
      expect(both.map((x: Target) => x.goal)).to.deep.equal([1.3, 1.6]);
      expect(groups(both)).to.deep.equal([['a', 'b']]);
    });

    it('picks issue 14\'s req/s goals and their twins from the real tables', () => {
      const rows = withBaseline(withNodeBin(allRows(), '/n24', 24), '/base');
      const picked = pairedTargets(withTwins([...TARGETS, ...TARGETS_14], rows), rows);
      const pairs = picked.map((x: Target) => `${x.num}/${x.den}`);
      for (const p of ['seed-tsuwsgi-unix/seed-uwsgi-flask-unix', 'seed-tsuwsgi-tcp@node24/seed-uwsgi-flask-tcp',
        'tsuwsgi-unix@base/uwsgi-c', 'tsuwsgi-unix/uwsgi-flask', 'cpu-p1t2@node24/cpu-p1t1@node24']) {
        expect(pairs, p).to.include(p);
      }
      expect(pairs.some((p: string) => p.startsWith('pss-'))).to.equal(false);
      const flask = picked.filter((x: Target) => x.num === 'tsuwsgi-unix' && x.den === 'uwsgi-flask').map((x: Target) => x.goal);
      expect(flask).to.deep.equal([1.3, 1.6]);
    });
  });

  describe('groups', () => {
    it('joins targets that share a row, in first-seen order', () => {
      expect(groups([t('a', 'b'), t('c', 'd'), t('e', 'b'), t('d', 'f')])).to.deep.equal([['a', 'b', 'e'], ['c', 'd', 'f']]);
    });

    it('joins two sets that a later target bridges', () => {
      expect(groups([t('a', 'b'), t('c', 'd'), t('b', 'c')])).to.deep.equal([['a', 'b', 'c', 'd']]);
    });

    it('lists each row once', () => {
      expect(groups([t('a', 'b'), t('a', 'b'), t('b', 'a')])).to.deep.equal([['a', 'b']]);
    });

    it('is empty without targets', () => {
      expect(groups([])).to.deep.equal([]);
    });
  });

  describe('roundOrder', () => {
    it('alternates forward and backward, rotating every two rounds', () => {
      const ids = ['a', 'b', 'c'];
      expect([0, 1, 2, 3, 4, 5, 6].map((r) => roundOrder(ids, r).join(''))).to.deep.equal(
        ['abc', 'cba', 'bca', 'acb', 'cab', 'bac', 'abc'],
      );
    });

    it('puts every row in every place equally often over 2n rounds', () => {
      const ids = ['a', 'b', 'c', 'd'];
      const count: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, [0, 0, 0, 0]]));
      for (let r = 0; r < 2 * ids.length; r++) roundOrder(ids, r).forEach((id: string, i: number) => count[id][i]++);
      for (const id of ids) expect(count[id], id).to.deep.equal([2, 2, 2, 2]);
    });

    it('lets a pair of rows take turns going first', () => {
      expect([0, 1, 2, 3].map((r) => roundOrder(['x', 'y'], r)[0])).to.deep.equal(['x', 'y', 'y', 'x']);
    });

    it('does not change its input and handles no rows', () => {
      const ids = ['a', 'b'];
      roundOrder(ids, 1);
      expect(ids).to.deep.equal(['a', 'b']);
      expect(roundOrder([], 3)).to.deep.equal([]);
    });
  });

  describe('evaluatePaired', () => {
    it('takes the median of the rounds\' ratios and reads the goal on it', () => {
      const rounds = [{ a: 100, b: 200 }, { a: 90, b: 100 }, { a: 150, b: 200 }, { a: 80, b: 100 }, { a: 40, b: 100 }];
      const [r] = evaluatePaired([t('a', 'b', { goal: 0.75 })], rounds);
      expect(r.value).to.equal(0.75);
      expect([r.min, r.max]).to.deep.equal([0.4, 0.9]);
      expect([r.rounds, r.of, r.status]).to.deep.equal([5, 5, 'met']);
      const [missed] = evaluatePaired([t('a', 'b', { goal: 0.76 })], rounds);
      expect(missed.status).to.equal('MISSED');
    });

    it('pairs figures of the same round, not medians of each row', () => {
      // Each row's median is 100, so a ratio of medians says 1.0; every round says 2.
      const rounds = [{ a: 100, b: 50 }, { a: 200, b: 100 }, { a: 60, b: 30 }];
      expect(evaluatePaired([t('a', 'b')], rounds)[0].value).to.equal(2);
    });

    it('reads <= goals', () => {
      expect(evaluatePaired([t('a', 'b', { op: '<=', goal: 1 })], [{ a: 1, b: 2 }])[0].status).to.equal('met');
      expect(evaluatePaired([t('a', 'b', { op: '<=', goal: 1 })], [{ a: 3, b: 2 }])[0].status).to.equal('MISSED');
    });

    it('leaves out rounds with a failed figure, and says n/a when none is left', () => {
      const [r] = evaluatePaired([t('a', 'b')], [{ a: null, b: 100 }, { a: 100, b: 0 }, { a: 300, b: 100 }]);
      expect([r.value, r.rounds, r.of]).to.deep.equal([3, 1, 3]);
      const [none] = evaluatePaired([t('a', 'b')], [{ a: null, b: 100 }]);
      expect([none.value, none.min, none.max, none.status]).to.deep.equal([null, null, null, 'n/a']);
      expect(evaluatePaired([t('a', 'b')], [])[0].status).to.equal('n/a');
    });
  });
});
