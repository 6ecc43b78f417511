import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { fmtRps, fmtSpread, fmtMs, fmtMiB, fmtRatio, fmtPct, fmtTop, fmtCount, fmtValue, renderTable, resultsTable, targetsSection, pairedSection, pairedRoundLine, idleAfterTable, COLUMNS } = benchLib('table');

const lines = (s: string) => s.split('\n');

describe('bench/table', () => {
  describe('formatters', () => {
    it('fmtRps rounds to whole requests', () => {
      expect(fmtRps(12345.49)).to.equal('12345');
      expect(fmtRps(12345.5)).to.equal('12346');
      expect(fmtRps(0)).to.equal('0');
    });
    it('fmtSpread joins min and max with an en dash', () => {
      expect(fmtSpread([999.6, 1200.2])).to.equal('1000–1200');
    });
    it('fmtMs picks a unit and precision by magnitude', () => {
      expect(fmtMs(0)).to.equal('0us');
      expect(fmtMs(0.1974)).to.equal('197us');
      expect(fmtMs(0.9994)).to.equal('999us');
      expect(fmtMs(1)).to.equal('1.00ms');
      expect(fmtMs(9.994)).to.equal('9.99ms');
      expect(fmtMs(12.34)).to.equal('12.3ms');
      expect(fmtMs(250.4)).to.equal('250ms');
      expect(fmtMs(1000)).to.equal('1.00s');
      expect(fmtMs(12345)).to.equal('12.35s');
    });
    it('fmtMiB shows kB as MiB with one decimal', () => {
      expect(fmtMiB(1024)).to.equal('1.0');
      expect(fmtMiB(97996.8)).to.equal('95.7');
      expect(fmtMiB(0)).to.equal('0.0');
    });
    it('fmtRatio shows two decimals', () => {
      expect(fmtRatio(1)).to.equal('1.00');
      expect(fmtRatio(1.305)).to.match(/^1\.3[01]$/);
      expect(fmtRatio(0.0712)).to.equal('0.07');
    });
    it('fmtPct shows a share as a whole percentage', () => {
      expect(fmtPct(0)).to.equal('0%');
      expect(fmtPct(0.049)).to.equal('5%');
      expect(fmtPct(0.5)).to.equal('50%');
      expect(fmtPct(1)).to.equal('100%');
    });
    it('fmtTop names the other processes with their share', () => {
      expect(fmtTop([{ pid: 1, comm: 'node', share: 0.45 }, { pid: 2, comm: 'bash', share: 0.031 }])).to.equal('node 45%, bash 3%');
      expect(fmtTop([])).to.equal('unknown');
      expect(fmtTop(undefined)).to.equal('unknown');
    });
    it('fmtCount prints integers as they are', () => {
      expect(fmtCount(0)).to.equal('0');
      expect(fmtCount(1643)).to.equal('1643');
    });
    it('every formatter prints "-" for a missing value', () => {
      for (const f of [fmtRps, fmtMs, fmtMiB, fmtRatio, fmtPct, fmtCount]) {
        for (const v of [null, undefined, NaN, Infinity, 'x']) expect(f(v), `${f.name}(${v})`).to.equal('-');
      }
      expect(fmtSpread(null)).to.equal('-');
      expect(fmtSpread(undefined)).to.equal('-');
    });
  });

  describe('renderTable', () => {
    const cols = [{ title: 'name', align: 'left' }, { title: 'n', align: 'right' }];

    it('pads left columns on the right and right columns on the left, with a rule under the titles', () => {
      const out = renderTable(cols, [['a', '1'], ['long name', '12345']]);
      expect(lines(out)).to.deep.equal([
        'name           n',
        '---------  -----',
        'a              1',
        'long name  12345',
      ]);
    });

    it('is as wide as the titles when the cells are narrower', () => {
      expect(lines(renderTable([{ title: 'wide title', align: 'right' }], [['1']]))).to.deep.equal(['wide title', '----------', '         1']);
    });

    it('replaces the trailing cells with a note, which may run past the columns', () => {
      const out = renderTable(cols.concat([{ title: 'x', align: 'right' }]), [{ cells: ['row'], note: 'n/a: accept-mode not available' }, ['b', '2', '3']]);
      expect(lines(out)[2]).to.equal('row   n/a: accept-mode not available');
      expect(lines(out)[3]).to.equal('b     2  3');
    });

    it('never leaves trailing spaces', () => {
      const out = renderTable([{ title: 'a', align: 'left' }, { title: 'bbbbbb', align: 'left' }], [['x', ''], ['y', 'z']]);
      for (const l of lines(out)) expect(l).to.not.match(/\s$/);
    });

    it('renders titles only for no rows', () => {
      expect(lines(renderTable(cols, []))).to.have.length(2);
    });
  });

  describe('resultsTable', () => {
    const rows = [
      { group: '1', id: 'nginx', what: 'nginx alone', pssOnly: false },
      { group: '2', id: 'uwsgi-flask', what: 'uWSGI+Flask', pssOnly: false },
      { group: '7', id: 'ma', what: 'master accept', pssOnly: false },
      { group: '8', id: 'broken', what: 'broken row', pssOnly: false },
      { group: 'pss', id: 'p', what: 'idle PSS', pssOnly: true },
      { group: '9', id: 'never', what: 'not run', pssOnly: false },
    ];
    const results = {
      nginx: { passes: 2, failed: 0, errorsText: [], rps: 60000, rpsSpread: [59000, 61000], p50: 0.2, p99: 1.5, errors: 0, cpuUsPerReq: 42.26, peakPssKb: 5120, otherMax: 0.01, ratios: { nginx: 1, flask: 5 } },
      'uwsgi-flask': { passes: 2, failed: 1, errorsText: ['x'], rps: 12000, rpsSpread: [12000, 12000], p50: 2.5, p99: 20, errors: 7, peakPssKb: 55000, otherMax: null, ratios: { nginx: 0.2, flask: 1 } },
      ma: { na: 'accept-mode not available' },
      broken: { passes: 2, failed: 2, errorsText: ['broken: no 200 through nginx', 'again'], rps: null },
      p: { passes: 2, failed: 0, errorsText: [], idlePssKb: 102400 },
    };
    const out = lines(resultsTable(rows, results));

    it('has the documented columns', () => {
      expect(COLUMNS.map((c: { title: string }) => c.title)).to.deep.equal(['#', 'id', 'what', 'req/s', 'min–max', 'p50', 'p99', 'errors', 'CPU µs/req', 'PSS MiB', 'other', '/nginx', '/flask']);
      expect(out[0]).to.match(/^# +id +what +req\/s +min–max +p50 +p99 +errors +CPU µs\/req +PSS MiB +other +\/nginx +\/flask$/);
    });

    it('prints a measured row with every figure', () => {
      expect(out[2].split(/\s{2,}/)).to.deep.equal(['1', 'nginx', 'nginx alone', '60000', '59000–61000', '200us', '1.50ms', '0', '42.3', '5.0', '1%', '1.00', '5.00']);
    });

    it('says how many passes failed next to the errors', () => {
      expect(out[3]).to.contain('7 (+1 failed pass)');
      expect(out[3].split(/\s{2,}/).slice(-4)).to.deep.equal(['53.7', '-', '0.20', '1.00']);
    });

    it('prints n/a rows as "n/a: reason"', () => {
      expect(out[4]).to.match(/^7 +ma +master accept +n\/a: accept-mode not available$/);
    });

    it('prints a row whose passes all failed with the first error', () => {
      expect(out[5]).to.match(/FAILED: broken: no 200 through nginx$/);
    });

    it('prints PSS-only rows with the idle PSS and dashes elsewhere', () => {
      expect(out[6].split(/\s{2,}/)).to.deep.equal(['pss', 'p', 'idle PSS', '-', '-', '-', '-', '-', '-', '100.0 idle', '-', '-', '-']);
    });

    it('marks rows without a result as not run', () => {
      expect(out[7]).to.match(/never +not run +not run$/);
    });

    it('aligns the numeric columns on the right', () => {
      const at = out[0].indexOf('req/s') + 'req/s'.length;
      expect(out[2].slice(0, at)).to.match(/60000$/);
      expect(out[3].slice(0, at)).to.match(/12000$/);
    });
  });

  describe('targetsSection', () => {
    it('prints ratio, goal and status for each target', () => {
      const out = lines(targetsSection([
        { label: 'tsuwsgi / flask', value: 1.42, op: '>=', goal: 1.3, status: 'met', why: null },
        { label: 'c route', value: 0.8, op: null, goal: null, status: 'report', why: null },
        { label: 'pss', value: null, op: '<=', goal: 1.1, status: 'n/a', why: 'not measured: p' },
      ]));
      expect(out[0]).to.match(/^target +ratio +goal +status$/);
      expect(out[2].split(/\s{2,}/)).to.deep.equal(['tsuwsgi / flask', '1.42', '>= 1.3', 'met']);
      expect(out[3].split(/\s{2,}/)).to.deep.equal(['c route', '0.80', 'report', 'report']);
      expect(out[4].split(/\s{2,}/)).to.deep.equal(['pss', '-', '<= 1.1', 'n/a (not measured: p)']);
    });
  });

  describe('pairedSection', () => {
    it('prints the median, the rounds\' range and count, goal and status for each target', () => {
      const out = lines(pairedSection([
        { label: 'seed tcp', value: 1.612, min: 1.31, max: 2.05, rounds: 8, of: 8, op: '>=', goal: 1.5, status: 'met' },
        { label: 'c route', value: null, min: null, max: null, rounds: 0, of: 8, op: '>=', goal: 0.8, status: 'n/a' },
      ]));
      expect(out[0]).to.match(/^target +median +rounds min–max +rounds +goal +status$/);
      expect(out[2].split(/\s{2,}/)).to.deep.equal(['seed tcp', '1.61', '1.31–2.05', '8/8', '>= 1.5', 'met']);
      expect(out[3].split(/\s{2,}/)).to.deep.equal(['c route', '-', '-', '0/8', '>= 0.8', 'n/a']);
    });
  });

  describe('pairedRoundLine', () => {
    it('prints each row\'s req/s and CPU, its errors when any, the other load only from the warning share', () => {
      const line = pairedRoundLine(2, 6, [
        { id: 'tsuwsgi-unix', rps: 15934.6, errors: 0, cpuUsPerReq: 45.26, other: 0.01 },
        { id: 'uwsgi-c', rps: 18002.2, errors: 3, cpuUsPerReq: null, other: 0.07 },
      ], 0.05);
      expect(line).to.equal('[paired 3/6] tsuwsgi-unix 15935 45.3 µs · uwsgi-c 18002 (3 errors) other 7%');
    });
    it('appends the detail of a failed row, each of its lines indented under the row\'s id', () => {
      const line = pairedRoundLine(0, 1, [
        { id: 'a', rps: null, errors: 32, cpuUsPerReq: null, other: null, detail: 'socket errors: read 32\nworker 1 gone' },
        { id: 'b', rps: 100, errors: 0, cpuUsPerReq: 20, other: null },
      ], 0.05);
      expect(line.split('\n')).to.deep.equal(['[paired 1/1] a 0 (32 errors) · b 100 20.0 µs', '  a: socket errors: read 32', '  worker 1 gone']);
    });
  });

  describe('issue 14 additions', () => {
    it('fmtValue prints a ratio with two decimals, a value target in its unit', () => {
      expect(fmtValue(1.234, undefined)).to.equal('1.23');
      expect(fmtValue(183.26, 'MiB')).to.equal('183.3 MiB');
      expect(fmtValue(0, 'count')).to.equal('0');
      expect(fmtValue(7, 's')).to.equal('7 s');
      expect(fmtValue(null, 'MiB')).to.equal('-');
    });
    it('targetsSection prints a value target with its unit', () => {
      const out = lines(targetsSection([{ label: 'seed PSS', value: 210.04, unit: 'MiB', op: '<=', goal: 200, status: 'MISSED', why: null }]));
      expect(out[2].split(/\s{2,}/)).to.deep.equal(['seed PSS', '210.0 MiB', '<= 200', 'MISSED']);
    });
    it('idleAfterTable: peak and idle PSS, workers left and the rest, per row; n/a and failed rows say so', () => {
      const out = lines(idleAfterTable(
        [{ id: 'cheaper', what: 'c' }, { id: 'fixed', what: 'f' }, { id: 'gone', what: 'g' }, { id: 'bad', what: 'b' }],
        {
          cheaper: { passes: 1, failed: 0, peakPssKb: 204800, idlePssKb: 51200, idleWorkers: 1, idleWaitS: 11.26 },
          fixed: { passes: 1, failed: 0, peakPssKb: 102400, idlePssKb: 102400, idleWorkers: 4, idleWaitS: 1.5 },
          gone: { na: 'x' },
          bad: { passes: 1, failed: 1 },
        },
      ));
      expect(out[0].split(/\s{2,}/)).to.deep.equal(['id', 'peak PSS MiB', 'idle PSS MiB', 'workers', 'rest s']);
      expect(out[2].split(/\s{2,}/)).to.deep.equal(['cheaper', '200.0', '50.0', '1', '11.3']);
      expect(out[3].split(/\s{2,}/)).to.deep.equal(['fixed', '100.0', '100.0', '4', '1.5']);
      expect(out[4]).to.match(/^gone +n\/a: x$/);
      expect(out[5]).to.match(/^bad +no result$/);
    });
  });
});
