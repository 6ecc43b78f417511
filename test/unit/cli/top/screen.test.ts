import { expect } from 'chai';
import { buildStatsDocument } from '../../../../src/master/stats/document';
import type { StatsDocument } from '../../../../src/shared/stats-document';
import { renderScreen, duration, type SortKey } from '../../../../src/cli/top/screen';
import { requestRates } from '../../../../src/cli/top/rates';
import { parseTopArgs } from '../../../../src/cli/top/run-top';
import { core, master, sockets, worker } from '../../master/stats/fixtures';

const NOW = 1_700_000_010_000;

function doc(): StatsDocument {
  return buildStatsDocument(master, sockets, [
    worker({ id: 1, pid: 101, rssBytes: 80 << 20, cores: [core({ requests: 10, responseMicros: 10_000 }), core({ requests: 5, inFlight: 1, current: { startMs: NOW - 3000, method: 'GET', uri: '/slow', vars: 9 } })] }),
    worker({ id: 2, pid: 102, rssBytes: 120 << 20, cores: [core({ requests: 40, responseMicros: 400_000 }), core()] }),
  ]);
}

const screen = (sort: SortKey = 'w', width = 160) =>
  renderScreen({ doc: doc(), rates: { byPid: new Map([[101, 2.5]]), byCore: new Map([['101.0', 2.5]]), total: 2.5 }, sort, width, now: NOW, live: true });

describe('tsuwsgi top: screen', () => {
  it('header: version, master pid, uptime, workers, req/s, in flight, listen queue', () => {
    const [head, keys] = screen();
    for (const part of ['tsuwsgi 0.1.0', 'master 42', 'up 20s', '2 worker(s)', 'req/s 2.5', 'in flight 1', 'listen queue 3/2048', 'full 3']) {
      expect(head).to.include(part);
    }
    expect(keys).to.include('sorted by worker id').and.include('q quit');
  });

  it('a row per worker and per thread, the running request with its age', () => {
    const lines = screen();
    const w1 = lines.findIndex((l) => /^1\s+101\s+busy\s+15\s+2\.5\s+0\.667\s+80\.0/.test(l));
    expect(w1, lines.join('\n')).to.be.greaterThan(0);
    expect(lines[w1 + 1]).to.match(/^\s+1\.0\s+idle\s+10\s+2\.5$/);
    expect(lines[w1 + 2]).to.match(/^\s+1\.1\s+busy\s+5\s+GET \/slow \(3s\)$/);
    expect(lines.some((l) => /^2\s+102\s+idle\s+40\s+-\s+10\.00\s+120\.0/.test(l)), 'no rate yet for worker 2').to.equal(true);
  });

  it('sorts by the key: m = memory, largest first; r = requests; w = id', () => {
    const order = (k: SortKey) => screen(k).filter((l) => /^\d\s/.test(l)).map((l) => l[0]);
    expect(order('w')).to.deep.equal(['1', '2']);
    expect(order('m')).to.deep.equal(['2', '1']);
    expect(order('r')).to.deep.equal(['2', '1']);
    expect(order('p')).to.deep.equal(['1', '2']);
    expect(screen('m')[1]).to.include('sorted by memory (RSS)');
  });

  it('cuts lines to the terminal width, shows a refresh error, and a snapshot has no key help', () => {
    expect(screen('w', 40).every((l) => l.length <= 40)).to.equal(true);
    const withError = renderScreen({ doc: doc(), rates: { byPid: new Map(), byCore: new Map(), total: undefined }, sort: 'w', width: 160, now: NOW, live: false, error: 'stats x: ECONNREFUSED' });
    expect(withError[1]).to.equal('sorted by worker id');
    expect(withError[2]).to.equal('! stats x: ECONNREFUSED');
    expect(withError[0]).to.include('req/s -');
  });

  it('request text is escaped: no control character reaches the terminal, quotes and backslashes shown as \\xHH', () => {
    const hostile = buildStatsDocument(master, sockets, [
      worker({ id: 1, pid: 101, cores: [core({ requests: 1, inFlight: 1, current: { startMs: NOW - 1000, method: 'G\x1bT', uri: '/a\nb\x1b[31m\x9b2J\x07"\\', vars: 3 } })] }),
    ]);
    hostile.version = '1.0\x1b]0;title\x07';
    const lines = renderScreen({ doc: hostile, rates: { byPid: new Map(), byCore: new Map(), total: undefined }, sort: 'w', width: 200, now: NOW, live: true, error: 'bad\x9b' });
    const all = lines.join('\n');
    expect(all).to.not.match(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(lines.find((l) => l.includes('/a'))).to.match(/\sG\\x1BT \/a\\x0Ab\\x1B\[31m\\x9B2J\\x07\\x22\\x5C \(1s\)$/);
    expect(lines[0]).to.include('tsuwsgi 1.0\\x1B]0;title\\x07');
    expect(all).to.include('! bad\\x9B');
  });

  it('formats durations', () => {
    expect([duration(0), duration(59.9), duration(61), duration(3600 * 5 + 120), duration(86400 * 2 + 3600), duration(-5)]).to.deep.equal(['0s', '59s', '1m01s', '5h02m', '2d01h', '0s']);
  });
});

describe('tsuwsgi top: req/s', () => {
  it('per worker pid and in total between two samples; a new pid has no rate yet', () => {
    const a = doc();
    const b = doc();
    b.workers[0].requests += 30;
    b.workers[1].pid = 999;
    const r = requestRates({ doc: a, at: 0 }, { doc: b, at: 2000 });
    expect(r.byPid.get(101)).to.equal(15);
    b.workers[0].cores[1].requests += 30;
    const r2 = requestRates({ doc: a, at: 0 }, { doc: b, at: 2000 });
    expect(r2.byCore.get('101.1')).to.equal(15);
    expect(r2.byCore.get('101.0')).to.equal(0);
    expect(r2.byCore.has('999.0')).to.equal(false);
    expect(r.byPid.has(999)).to.equal(false);
    expect(r.total).to.equal(15);
  });

  it('no previous sample, or a clock that did not move: no rates', () => {
    expect(requestRates(undefined, { doc: doc(), at: 5 }).total).to.equal(undefined);
    expect(requestRates({ doc: doc(), at: 5 }, { doc: doc(), at: 5 }).total).to.equal(undefined);
  });
});

describe('tsuwsgi top: arguments', () => {
  it('takes one address and an optional sort key', () => {
    expect(parseTopArgs(['127.0.0.1:9191'])).to.deep.equal({ address: '127.0.0.1:9191', sort: 'w' });
    expect(parseTopArgs(['/run/stats.sock', '--sort', 'm'])).to.deep.equal({ address: '/run/stats.sock', sort: 'm' });
    expect(parseTopArgs(['--sort=r', 'x.sock'])).to.deep.equal({ address: 'x.sock', sort: 'r' });
    expect(parseTopArgs(['--help'])).to.equal('help');
  });

  it('refuses no address, two addresses, an unknown option or sort key, with E_CLI_USAGE', () => {
    for (const argv of [[], ['a', 'b'], ['a', '--fast'], ['a', '--sort', 'z'], ['a', '--sort']]) {
      expect(() => parseTopArgs(argv), argv.join(' ')).to.throw().with.property('code', 'E_CLI_USAGE');
    }
  });

  it('attached daemons: a row each under the workers (s: smart), with pid, state, starts, last exit', () => {
    const withDaemons: StatsDocument = {
      ...doc(),
      daemons: [
        { id: 1, cmd: 'node consumer.js', pid: 300, respawns: 2, state: 'running', smart: 0, pidfile: null, last_exit: { code: null, signal: 'SIGKILL', at: 1 }, next_start_in_ms: 0 },
        { id: 2, cmd: 'redis-server', pid: 0, respawns: 1, state: 'throttled', smart: 1, pidfile: '/run/r.pid', last_exit: null, next_start_in_ms: 900 },
      ],
    };
    const lines = renderScreen({ doc: withDaemons, rates: { byPid: new Map(), byCore: new Map(), total: undefined }, sort: 'w', width: 160, now: NOW, live: false });
    const at = lines.findIndex((l) => l.startsWith('DAEMON'));
    expect(at).to.be.greaterThan(0);
    expect(lines.slice(at + 1).map((l) => l.split(/\s+/).slice(0, 5))).to.deep.equal([
      ['1', '300', 'running', '2', 'SIGKILL'],
      ['2s', '-', 'throttled', '1', '-'],
    ]);
    expect(lines[at + 1]).to.match(/node consumer\.js$/);
    expect(screen().some((l) => l.startsWith('DAEMON'))).to.equal(false);
  });
});
