import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { TARGETS, evaluate } = benchLib('targets');
const { allRows } = benchLib('rows');

interface Target { label: string; num: string; den: string; metric: string; op: string | null; goal: number | null }
interface Evaluated extends Target { value: number | null; status: string; why: string | null }

const byNum = (list: Evaluated[], num: string, den: string) => list.find((t) => t.num === num && t.den === den)!;

describe('bench/targets', () => {
  it('names only rows that exist', () => {
    const ids = new Set(allRows().map((r: { id: string }) => r.id));
    for (const t of TARGETS as Target[]) {
      expect(ids.has(t.num), t.num).to.equal(true);
      expect(ids.has(t.den), t.den).to.equal(true);
    }
  });

  it('carries the issue\'s five targets', () => {
    const goals = (TARGETS as Target[]).filter((t) => t.op !== null).map((t) => [t.num, t.den, t.op, t.goal]);
    expect(goals).to.deep.equal([
      ['tsuwsgi-unix', 'uwsgi-flask', '>=', 1.3],
      ['tsuwsgi-http-ka', 'node-cluster-ka', '>=', 0.9],
      ['cpu-p1t2', 'cpu-p1t1', '>=', 1.6],
      ['pss-tsuwsgi-p4', 'pss-node-cluster-4', '<=', 1.1],
    ]);
    // and the C route is reported, not targeted
    expect((TARGETS as Target[]).some((t) => t.num === 'tsuwsgi-unix' && t.den === 'uwsgi-c' && t.op === null)).to.equal(true);
  });

  it('reports stats on / stats off (req/s, same run) without a goal', () => {
    const t = (TARGETS as Target[]).find((x) => x.num === 'stats-on');
    expect(t).to.deep.include({ den: 'stats-off', metric: 'rps', op: null, goal: null });
    expect(evaluate({ 'stats-on': { rps: 9900 }, 'stats-off': { rps: 10000 } }, [t as Target])[0]).to.include({ status: 'report', value: 0.99 });
  });

  it('marks a ">=" target met at and above the goal, MISSED below', () => {
    const t: Target[] = [{ label: 'x', num: 'a', den: 'b', metric: 'rps', op: '>=', goal: 1.3 }];
    expect(evaluate({ a: { rps: 130 }, b: { rps: 100 } }, t)[0]).to.include({ status: 'met', value: 1.3 });
    expect(evaluate({ a: { rps: 200 }, b: { rps: 100 } }, t)[0]).to.include({ status: 'met', value: 2 });
    expect(evaluate({ a: { rps: 129 }, b: { rps: 100 } }, t)[0]).to.include({ status: 'MISSED', value: 1.29 });
  });

  it('marks a "<=" target met at and below the goal, MISSED above', () => {
    const t: Target[] = [{ label: 'pss', num: 'a', den: 'b', metric: 'idlePssKb', op: '<=', goal: 1.1 }];
    expect(evaluate({ a: { idlePssKb: 110 }, b: { idlePssKb: 100 } }, t)[0].status).to.equal('met');
    expect(evaluate({ a: { idlePssKb: 50 }, b: { idlePssKb: 100 } }, t)[0].status).to.equal('met');
    expect(evaluate({ a: { idlePssKb: 111 }, b: { idlePssKb: 100 } }, t)[0].status).to.equal('MISSED');
  });

  it('uses the metric it names (idle PSS is not req/s)', () => {
    const t: Target[] = [{ label: 'pss', num: 'a', den: 'b', metric: 'idlePssKb', op: '<=', goal: 1.1 }];
    const r = evaluate({ a: { rps: 1, idlePssKb: 90 }, b: { rps: 1000, idlePssKb: 100 } }, t)[0];
    expect(r.value).to.equal(0.9);
  });

  it('reports a target without a goal as "report"', () => {
    const t: Target[] = [{ label: 'r', num: 'a', den: 'b', metric: 'rps', op: null, goal: null }];
    expect(evaluate({ a: { rps: 1 }, b: { rps: 4 } }, t)[0]).to.include({ status: 'report', value: 0.25, why: null });
  });

  it('is n/a, naming what is missing, when a row was not run, was n/a, or has no figure', () => {
    const t: Target[] = [{ label: 'x', num: 'a', den: 'b', metric: 'rps', op: '>=', goal: 1 }];
    expect(evaluate({ a: { rps: 1 } }, t)[0]).to.include({ status: 'n/a', value: null, why: 'not measured: b' });
    expect(evaluate({}, t)[0]).to.include({ why: 'not measured: a, b' });
    expect(evaluate({ a: { na: 'accept-mode not available' }, b: { rps: 1 } }, t)[0]).to.include({ status: 'n/a', why: 'not measured: a' });
    expect(evaluate({ a: { rps: null }, b: { rps: 1 } }, t)[0]).to.include({ status: 'n/a', why: 'not measured: a' });
  });

  it('is n/a when the divisor is zero', () => {
    const t: Target[] = [{ label: 'x', num: 'a', den: 'b', metric: 'rps', op: '>=', goal: 1 }];
    expect(evaluate({ a: { rps: 1 }, b: { rps: 0 } }, t)[0]).to.include({ status: 'n/a', why: 'division by zero' });
  });

  it('evaluates the real table in order', () => {
    const summaries = {
      'tsuwsgi-unix': { rps: 26000 }, 'uwsgi-flask': { rps: 20000 }, 'uwsgi-c': { rps: 30000 },
      'tsuwsgi-http-ka': { rps: 9000 }, 'node-cluster-ka': { rps: 10000 },
      'cpu-p1t2': { rps: 800 }, 'cpu-p1t1': { rps: 450 },
      'pss-tsuwsgi-p4': { idlePssKb: 200000 }, 'pss-node-cluster-4': { idlePssKb: 190000 },
    };
    const out: Evaluated[] = evaluate(summaries);
    expect(out).to.have.length((TARGETS as Target[]).length);
    expect(out.map((t) => t.label)).to.deep.equal((TARGETS as Target[]).map((t) => t.label));
    expect(byNum(out, 'tsuwsgi-unix', 'uwsgi-flask')).to.include({ status: 'met', value: 1.3 });
    expect(byNum(out, 'tsuwsgi-unix', 'uwsgi-c').status).to.equal('report');
    expect(byNum(out, 'tsuwsgi-http-ka', 'node-cluster-ka')).to.include({ status: 'met', value: 0.9 });
    expect(byNum(out, 'cpu-p1t2', 'cpu-p1t1').status).to.equal('met');
    expect(byNum(out, 'pss-tsuwsgi-p4', 'pss-node-cluster-4').value).to.be.closeTo(200 / 190, 1e-12);
    expect(byNum(out, 'tsuwsgi-master-accept', 'tsuwsgi-unix').status).to.equal('n/a');
  });
});
