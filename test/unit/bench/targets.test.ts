import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { TARGETS, TARGETS_14, evaluate, metricOf, withTwins, involving } = benchLib('targets');
const { allRows, withBaseline, withNodeBin } = benchLib('rows');

interface Target { label: string; num: string; den: string; metric: string; op: string | null; goal: number | null }
/** Issue 14's targets may have no den (a value target), a denMetric, a scale and a unit. */
interface Target14 extends Omit<Target, 'den'> { den: string | null; denMetric?: string; scale?: number; unit?: string }
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

  describe('issue 14', () => {
    const T14 = TARGETS_14 as Target14[];
    const goal = (num: string, den: string | null, metric: string) => {
      const t = T14.find((x) => x.num === num && x.den === den && x.metric === metric);
      expect(t, `${num} / ${den} ${metric}`).to.not.equal(undefined);
      return [t!.op, t!.goal];
    };

    it('names only rows that exist, and metrics the summaries have', () => {
      const ids = new Set(allRows().map((r: { id: string }) => r.id));
      for (const t of T14) {
        expect(ids.has(t.num), t.num).to.equal(true);
        if (t.den !== null) expect(ids.has(t.den), t.den).to.equal(true);
        expect(t.metric, t.label).to.match(/^(rps|cpuUsPerReq|peakPssKb|idlePssKb|idleWorkers|step\.(failed|maxWorkers|endWorkers|endPssKb|loadRps|scaledUpAfterS|backDownAfterS))$/);
      }
      expect(new Set(T14.map((t) => t.label)).size).to.equal(T14.length);
    });

    it('carries the issue\'s goals: seed 1.5x unix and tcp, seed PSS 200 MiB, 2x1 1.6x Flask and 0.8x C, PSS 1.1x the Node cluster', () => {
      expect(goal('seed-tsuwsgi-unix', 'seed-uwsgi-flask-unix', 'rps')).to.deep.equal(['>=', 1.5]);
      expect(goal('seed-tsuwsgi-unix', null, 'peakPssKb')).to.deep.equal(['<=', 200]);
      expect(goal('seed-tsuwsgi-tcp', 'seed-uwsgi-flask-tcp', 'rps')).to.deep.equal(['>=', 1.5]);
      expect(goal('tsuwsgi-unix', 'uwsgi-flask', 'rps')).to.deep.equal(['>=', 1.6]);
      expect(goal('tsuwsgi-unix', 'uwsgi-c', 'rps')).to.deep.equal(['>=', 0.8]);
      expect(goal('pss-tsuwsgi-p4', 'pss-node-cluster-4', 'idlePssKb')).to.deep.equal(['<=', 1.1]);
      expect(goal('tsuwsgi-unix', 'node-cluster', 'peakPssKb')).to.deep.equal(['<=', 1.1]);
      expect(goal('busy-on', 'busy-off', 'rps')).to.deep.equal([null, null]);
      expect(goal('busy-on', 'busy-off', 'cpuUsPerReq')).to.deep.equal([null, null]);
      expect(goal('cheaper-p4c1', 'fixed-p4', 'idlePssKb')).to.deep.equal([null, null]);
      expect(goal('cheaper-p4c1', 'fixed-p1', 'idlePssKb')).to.deep.equal(['<=', 1.1]);
      expect(goal('step-p4c1', null, 'step.failed')).to.deep.equal(['<=', 0]);
      expect(goal('step-p4c1', 'step-p1', 'step.endPssKb')).to.deep.equal(['<=', 1.1]);
    });

    it('keeps issue 3\'s table as it was', () => {
      expect((TARGETS as Target14[]).every((t) => t.den !== null && !t.metric.includes('.'))).to.equal(true);
    });

    it('a value target (no den) is the row\'s figure times its scale: the seed\'s PSS in MiB', () => {
      const t = T14.filter((x) => x.num === 'seed-tsuwsgi-unix' && x.den === null);
      expect(evaluate({ 'seed-tsuwsgi-unix': { peakPssKb: 200 * 1024 } }, t)[0]).to.include({ value: 200, status: 'met' });
      expect(evaluate({ 'seed-tsuwsgi-unix': { peakPssKb: 201 * 1024 } }, t)[0]).to.include({ value: 201, status: 'MISSED' });
      expect(evaluate({}, t)[0]).to.include({ status: 'n/a', why: 'not measured: seed-tsuwsgi-unix' });
    });

    it('reads a step-load figure by its path, and says "never happened" for a measured row without it', () => {
      const s = { 'step-p4c1': { step: { requests: 10, failed: 0, maxWorkers: 4, scaledUpAfterS: null } } };
      expect(metricOf(s['step-p4c1'], 'step.maxWorkers')).to.equal(4);
      expect(metricOf(s['step-p4c1'], 'step.nothing')).to.equal(null);
      expect(metricOf({ step: null }, 'step.failed')).to.equal(null);
      const out = evaluate(s, T14.filter((t) => t.num === 'step-p4c1' && t.den === null));
      expect(out.find((t: Evaluated) => t.metric === 'step.failed')).to.include({ value: 0, status: 'met' });
      expect(out.find((t: Evaluated) => t.metric === 'step.maxWorkers')).to.include({ value: 4, status: 'met' });
      expect(out.find((t: Evaluated) => t.metric === 'step.scaledUpAfterS')).to.include({ status: 'n/a', why: 'never happened in step-p4c1' });
      expect(evaluate({}, out.filter((t: Evaluated) => t.metric === 'step.failed'))[0]).to.include({ why: 'not measured: step-p4c1' });
    });

    it('compares two metrics when the denominator\'s differs (denMetric)', () => {
      const t: Target14[] = [{ label: 'x', num: 'a', den: 'b', metric: 'step.endPssKb', denMetric: 'idlePssKb', op: '<=', goal: 1.1 }];
      expect(evaluate({ a: { step: { endPssKb: 110 } }, b: { idlePssKb: 100 } }, t)[0]).to.include({ status: 'met' });
      expect(evaluate({ a: { step: { endPssKb: 120 } }, b: { idlePssKb: 100 } }, t)[0]).to.include({ status: 'MISSED' });
    });

    it('withTwins: a Node 24 tsuwsgi row is compared with the Node 24 cluster; the baseline build with this node’s', () => {
      const rows = withNodeBin(withBaseline(allRows().filter((r: { group: string }) => ['4', '5', 'pss'].includes(r.group)), '/base'), '/n24', '24');
      const picked = T14.filter((t) => t.num === 'pss-tsuwsgi-p4' || (t.num === 'tsuwsgi-unix' && t.den === 'node-cluster'));
      expect(withTwins(picked, rows).map((t: Target14) => [t.num, t.den])).to.deep.equal([
        ['tsuwsgi-unix', 'node-cluster'],
        ['tsuwsgi-unix@node24', 'node-cluster@node24'],
        ['tsuwsgi-unix@base', 'node-cluster'],
        ['pss-tsuwsgi-p4', 'pss-node-cluster-4'],
        ['pss-tsuwsgi-p4@node24', 'pss-node-cluster-4@node24'],
        ['pss-tsuwsgi-p4@base', 'pss-node-cluster-4'],
      ]);
    });

    it('withTwins: each target followed by its --node-bin and --baseline copies, twins on both sides, uWSGI kept', () => {
      const rows = withNodeBin(withBaseline(allRows().filter((r: { group: string }) => ['2', '5', '14'].includes(r.group)), '/base'), '/n24', '24');
      const picked = T14.filter((t) => t.num === 'tsuwsgi-unix' && t.den === 'uwsgi-flask' || t.num === 'busy-on' && t.metric === 'rps');
      const out: Target14[] = withTwins(picked, rows);
      expect(out.map((t) => [t.num, t.den, t.label.replace(/^.*\[/, '[')])).to.deep.equal([
        ['tsuwsgi-unix', 'uwsgi-flask', '2x1, unix: tsuwsgi / uWSGI+Flask'],
        ['tsuwsgi-unix@node24', 'uwsgi-flask', '[node 24]'],
        ['tsuwsgi-unix@base', 'uwsgi-flask', '[baseline build]'],
        ['busy-on', 'busy-off', 'busy fields on / off (cheaper manual at 2 workers): req/s'],
        ['busy-on@node24', 'busy-off@node24', '[node 24]'],
        ['busy-on@base', 'busy-off@base', '[baseline build]'],
      ]);
      expect(out[1]).to.deep.include({ op: '>=', goal: 1.6, metric: 'rps' });
      expect(withTwins(picked, allRows())).to.deep.equal(picked);
    });

    it('involving: only the targets that name a selected row (either side), with the twins of those rows', () => {
      const rows = withNodeBin(allRows().filter((r: { id: string }) => r.id === 'uwsgi-c' || r.id === 'tsuwsgi-unix'), '/n24', '24');
      const out: Target14[] = involving(T14, rows);
      expect(out.length).to.be.greaterThan(0);
      for (const t of out) expect([t.num, t.den].some((id) => id !== null && rows.some((r: { id: string }) => r.id === id))).to.equal(true);
      expect(out.map((t) => [t.num, t.den])).to.deep.include.members([['tsuwsgi-unix', 'uwsgi-c'], ['tsuwsgi-unix@node24', 'uwsgi-c']]);
      expect(out.some((t) => t.num === 'pss-tsuwsgi-p4')).to.equal(false);
      expect(involving(T14, [])).to.deep.equal([]);
    });
  });
});
