import { expect } from 'chai';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { allRows, withNodeBin } = require('../../../bench/lib/rows') as { allRows: () => Row[]; withNodeBin: (rows: Row[], node: string, major: string) => Row[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeBinTargets } = require('../../../bench/lib/targets') as { nodeBinTargets: (rows: Row[]) => { label: string; num: string; den: string; metric: string; op: null }[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const args = require('../../../bench/lib/args') as { parse: (argv: string[], rows: Row[]) => { nodeBin: string | null } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../../../bench/lib/tools') as { nodeVersion: (bin: string) => string | null };

interface Row { id: string; backend: { kind: string; bin?: string; node?: string }; nodeTwinOf?: string; baselineOf?: string; feature: string | null }

describe('bench --node-bin', () => {
  it('parses --node-bin PATH', () => {
    expect(args.parse(['--node-bin', '/n/bin/node'], allRows()).nodeBin).to.equal('/n/bin/node');
    expect(args.parse([], allRows()).nodeBin).to.equal(null);
    expect(() => args.parse(['--node-bin'], allRows())).to.throw(/needs a value/);
  });

  it('adds a twin after every tsuwsgi and Node cluster row, run by the other node binary, and nothing for the others', () => {
    const rows = allRows().filter((r) => ['uwsgi-flask', 'node-cluster', 'tsuwsgi-unix', 'post-tsuwsgi', 'tsuwsgi-master-accept'].includes(r.id));
    const all = withNodeBin(rows, '/n24/bin/node', '24');
    expect(all.map((r) => r.id)).to.deep.equal(['uwsgi-flask', 'node-cluster', 'node-cluster@node24', 'tsuwsgi-unix', 'tsuwsgi-unix@node24', 'tsuwsgi-master-accept', 'post-tsuwsgi', 'post-tsuwsgi@node24']);
    expect(all[2]!.backend.node).to.equal('/n24/bin/node');
    const out = all.filter((r) => !r.id.startsWith('node-cluster'));
    expect(out[2]!.backend.node).to.equal('/n24/bin/node');
    expect(out[2]!.backend.bin).to.equal(undefined);
    expect(out[1]!.backend.node).to.equal(undefined);
    expect(nodeBinTargets(out).map((t) => [t.num, t.den, t.metric])).to.deep.equal([
      ['tsuwsgi-unix@node24', 'tsuwsgi-unix', 'rps'], ['tsuwsgi-unix@node24', 'tsuwsgi-unix', 'cpuUsPerReq'], ['tsuwsgi-unix@node24', 'tsuwsgi-unix', 'peakPssKb'],
      ['post-tsuwsgi@node24', 'post-tsuwsgi', 'rps'], ['post-tsuwsgi@node24', 'post-tsuwsgi', 'cpuUsPerReq'], ['post-tsuwsgi@node24', 'post-tsuwsgi', 'peakPssKb'],
    ]);
    expect(nodeBinTargets(out)[0]!.label).to.equal('tsuwsgi-unix: req/s, node24 / this node');
  });

  it('gives a baseline twin (--baseline) no Node twin of its own', () => {
    const rows = allRows().filter((r) => r.id === 'tsuwsgi-unix');
    const based = [...rows, { ...rows[0]!, id: 'tsuwsgi-unix@base', baselineOf: 'tsuwsgi-unix', backend: { ...rows[0]!.backend, bin: '/base/bin/tsuwsgi' } }];
    expect(withNodeBin(based, '/n24/bin/node', '24').map((r) => r.id)).to.deep.equal(['tsuwsgi-unix', 'tsuwsgi-unix@node24', 'tsuwsgi-unix@base']);
  });

  it('twins the Node floor rows too, so a Node line is compared with its own floor', () => {
    const rows = allRows().filter((r) => ['uwsgi-c', 'node-floor', 'node-floor-tcp'].includes(r.id));
    const all = withNodeBin(rows, '/n24/bin/node', '24');
    expect(all.map((r) => r.id)).to.deep.equal(['uwsgi-c', 'node-floor', 'node-floor@node24', 'node-floor-tcp', 'node-floor-tcp@node24']);
    expect(all[2]!.backend).to.deep.include({ kind: 'node-floor', node: '/n24/bin/node' });
  });

  it('reads the version of a node binary, and null for something that is not one', () => {
    expect(tools.nodeVersion(process.execPath)).to.equal(process.version);
    expect(tools.nodeVersion('/bin/true')).to.equal(null);
    expect(tools.nodeVersion('/nonexistent/node')).to.equal(null);
  });
});
