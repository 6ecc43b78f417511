import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { parse, selectRows, usage, DEFAULTS } = benchLib('args');
const { allRows } = benchLib('rows');

const ROWS = allRows();
const ALL = ROWS.map((r: { id: string }) => r.id);

describe('bench/args', () => {
  it('has the documented defaults, every row selected', () => {
    const o = parse([], ROWS);
    expect(o).to.deep.include({ duration: 5, passes: 3, connections: 32, threads: 1, warmup: 2, json: null, help: false });
    expect(o).to.deep.include({ pairedRounds: 0, roundSeconds: 3 });
    expect(o.rows).to.deep.equal(ALL);
    expect(DEFAULTS.rows).to.equal(null);
  });

  it('reads every option, as "--opt value" and as "--opt=value"', () => {
    const o = parse(['--duration', '3', '--passes=2', '--connections', '64', '--threads=2', '--warmup', '0', '--json', 'out/r.json'], ROWS);
    expect(o).to.deep.include({ duration: 3, passes: 2, connections: 64, threads: 2, warmup: 0, json: 'out/r.json' });
    expect(parse(['--paired-rounds', '8', '--round-seconds=2'], ROWS)).to.deep.include({ pairedRounds: 8, roundSeconds: 2 });
  });

  it('takes whole numbers only (wrk refuses -d1.5s)', () => {
    expect(() => parse(['--duration', '1.5'], ROWS)).to.throw('--duration: expected an integer >= 1, got "1.5"');
    expect(() => parse(['--passes', '1.5'], ROWS)).to.throw('--passes: expected an integer >= 1, got "1.5"');
    expect(() => parse(['--threads', 'two'], ROWS)).to.throw('--threads: expected an integer >= 1, got "two"');
    expect(parse(['--duration', '1e1'], ROWS).duration).to.equal(10);
  });

  it('enforces the minimum of each option', () => {
    expect(() => parse(['--duration', '0'], ROWS)).to.throw('--duration: expected an integer >= 1, got "0"');
    expect(() => parse(['--passes', '0'], ROWS)).to.throw('--passes: expected an integer >= 1');
    expect(() => parse(['--connections', '0'], ROWS)).to.throw('--connections: expected an integer >= 1');
    expect(() => parse(['--threads', '-1'], ROWS)).to.throw('--threads: expected an integer >= 1');
    expect(parse(['--warmup', '0'], ROWS).warmup).to.equal(0);
    expect(() => parse(['--warmup', '-1'], ROWS)).to.throw('--warmup: expected an integer >= 0');
    expect(parse(['--paired-rounds', '0'], ROWS).pairedRounds).to.equal(0);
    expect(() => parse(['--paired-rounds', '-1'], ROWS)).to.throw('--paired-rounds: expected an integer >= 0');
    expect(() => parse(['--round-seconds', '0'], ROWS)).to.throw('--round-seconds: expected an integer >= 1');
  });

  it('refuses empty and non-numeric values', () => {
    expect(() => parse(['--duration='], ROWS)).to.throw('--duration: expected an integer >= 1, got ""');
    expect(() => parse(['--duration', ' '], ROWS)).to.throw('--duration: expected an integer');
    expect(() => parse(['--warmup', 'x'], ROWS)).to.throw('--warmup: expected an integer >= 0, got "x"');
  });

  it('says when a value is missing', () => {
    expect(() => parse(['--duration'], ROWS)).to.throw('--duration needs a value');
    expect(() => parse(['--rows'], ROWS)).to.throw('--rows needs a value');
    expect(() => parse(['--json'], ROWS)).to.throw('--json needs a value');
    expect(() => parse(['--json='], ROWS)).to.throw('--json needs a file name');
  });

  it('refuses unknown options and positional arguments', () => {
    expect(() => parse(['--durations', '3'], ROWS)).to.throw('unknown option "--durations" (see --help)');
    expect(() => parse(['fast'], ROWS)).to.throw('unknown option "fast"');
  });

  it('recognises -h and --help', () => {
    expect(parse(['-h'], ROWS).help).to.equal(true);
    expect(parse(['--help'], ROWS).help).to.equal(true);
  });

  describe('--rows', () => {
    it('selects ids, in table order whatever the order given', () => {
      expect(parse(['--rows', 'tsuwsgi-unix,nginx,uwsgi-flask'], ROWS).rows).to.deep.equal(['nginx', 'uwsgi-flask', 'tsuwsgi-unix']);
    });
    it('selects whole groups by number or name, case-insensitively', () => {
      expect(selectRows('3', ROWS)).to.deep.equal(['uwsgi-c', 'uwsgi-c-tcp', 'node-floor', 'node-floor-tcp', 'uwsgi-c-thunder']);
      expect(selectRows('9', ROWS)).to.deep.equal(['cpu-p1t1', 'cpu-p1t2', 'cpu-p2t1']);
      expect(selectRows('PSS', ROWS)).to.deep.equal(['pss-tsuwsgi-p4', 'pss-node-cluster-4']);
      expect(selectRows('1,tsuwsgi-tcp', ROWS)).to.deep.equal(['nginx', 'tsuwsgi-tcp']);
    });
    it('ignores blanks and duplicates', () => {
      expect(selectRows(' nginx , ,nginx,1', ROWS)).to.deep.equal(['nginx']);
    });
    it('refuses an unknown row, listing the known ones', () => {
      expect(() => selectRows('nginx,uwsgi', ROWS)).to.throw(/--rows: unknown row "uwsgi" \(known: nginx, uwsgi-flask, /);
      expect(() => selectRows(' , ', ROWS)).to.throw('--rows needs at least one row id');
    });
  });

  it('lists every row in the usage text', () => {
    const text = usage(ROWS);
    for (const id of ALL) expect(text).to.contain(id);
    for (const opt of ['--duration', '--passes', '--connections', '--threads', '--rows', '--json', '--help']) expect(text).to.contain(opt);
  });
});
