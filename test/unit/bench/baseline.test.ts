import { expect } from 'chai';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { allRows, withBaseline, lackingOptions } = require('../../../bench/lib/rows') as {
  allRows: () => Row[]; withBaseline: (rows: Row[], dir: string) => Row[]; lackingOptions: (row: Row, has: (option: string) => boolean) => string[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { baselineTargets } = require('../../../bench/lib/targets') as { baselineTargets: (rows: Row[]) => { num: string; den: string; metric: string; op: null }[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const args = require('../../../bench/lib/args') as { parse: (argv: string[], rows: Row[]) => { baseline: string | null } };

interface Row { id: string; backend: { kind: string; bin?: string; extra?: Record<string, string> }; baselineOf?: string; feature: string | null }

describe('bench --baseline', () => {
  it('parses --baseline DIR', () => {
    expect(args.parse(['--baseline', '/x'], allRows()).baseline).to.equal('/x');
    expect(args.parse([], allRows()).baseline).to.equal(null);
  });

  it('adds no twin to the static-file rows the baseline build cannot serve, one to the app row with static-map set', () => {
    const rows = allRows().filter((r) => ['static-1k-tsuwsgi', 'static-1m-tsuwsgi', 'static-map-app'].includes(r.id));
    expect(withBaseline(rows, '/base').map((r) => r.id)).to.deep.equal(['static-1k-tsuwsgi', 'static-1m-tsuwsgi', 'static-map-app', 'static-map-app@base']);
  });
  it('adds a twin after every tsuwsgi row, run by the other build, and nothing for the others', () => {
    const rows = allRows().filter((r) => ['uwsgi-flask', 'tsuwsgi-unix', 'post-tsuwsgi', 'tsuwsgi-master-accept'].includes(r.id));
    const out = withBaseline(rows, '/base');
    expect(out.map((r) => r.id)).to.deep.equal(['uwsgi-flask', 'tsuwsgi-unix', 'tsuwsgi-unix@base', 'tsuwsgi-master-accept', 'post-tsuwsgi', 'post-tsuwsgi@base']);
    expect(out[2]!.backend.bin).to.equal('/base/bin/tsuwsgi');
    expect(out[1]!.backend.bin).to.equal(undefined);
    expect(baselineTargets(out).map((t) => [t.num, t.den, t.metric])).to.deep.equal([
      ['tsuwsgi-unix', 'tsuwsgi-unix@base', 'rps'], ['tsuwsgi-unix', 'tsuwsgi-unix@base', 'cpuUsPerReq'],
      ['post-tsuwsgi', 'post-tsuwsgi@base', 'rps'], ['post-tsuwsgi', 'post-tsuwsgi@base', 'cpuUsPerReq'],
    ]);
  });
  it('names the options of a twin\'s row that its build lacks (a build from before cheaper), and none for a row without extra', () => {
    const rows = withBaseline(allRows().filter((r) => ['step-p4c1', 'tsuwsgi-unix'].includes(r.id)), '/base');
    const twin = rows.find((r) => r.id === 'step-p4c1@base')!;
    const asked: string[] = [];
    const old = (option: string): boolean => {
      asked.push(option);
      return option !== 'cheaper';
    };
    expect(lackingOptions(twin, old)).to.deep.equal(['cheaper']);
    expect(asked).to.deep.equal(['cheaper']);
    expect(lackingOptions(twin, () => true)).to.deep.equal([]);
    expect(lackingOptions(rows.find((r) => r.id === 'tsuwsgi-unix@base')!, () => false)).to.deep.equal([]);
  });
});
