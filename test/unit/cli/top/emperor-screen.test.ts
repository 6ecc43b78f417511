import { expect } from 'chai';
import { renderEmperorScreen, vassalStatsAddress } from '../../../../src/cli/top/emperor-screen';
import { parseTopArgs } from '../../../../src/cli/top/run-top';
import type { EmperorDocument, VassalEntry } from '../../../../src/emperor/emperor-stats';

const NOW = 1_700_000_100_000;

function vassal(over: Partial<VassalEntry>): VassalEntry {
  return {
    id: 'a.ini', config: '/etc/v/a.ini', state: 'running', pid: 10, uid: null, gid: null, starts: 1, respawns: 0, born: 1_700_000_000,
    ready: 1, loyal: 1, last_mod: 1_700_000_000, last_exit: null, strikes: 0, next_start_in_ms: null, stats: '/run/a.stats',
    status: '2 worker(s) accepting', reason: null, ...over,
  };
}

const doc: EmperorDocument = {
  version: '0.1.0', pid: 7, uid: 0, gid: 0, cwd: '/', emperor_started: 1_700_000_000, emperor: ['/etc/v'], emperor_tyrant: 1,
  throttle_ms: 1000, max_throttle_ms: 180_000,
  vassals: [
    vassal({}),
    vassal({ id: 'bad.ini', config: '/etc/v/bad.ini', state: 'failed', pid: 0, uid: 1000, gid: 1000, starts: 4, born: 0, ready: 0, loyal: 0, strikes: 3, last_exit: { code: 4, signal: null, at: 1_700_000_090 }, next_start_in_ms: 2500, stats: null, status: null }),
    vassal({ id: 'evil\x1b[2J.ini', state: 'refused', pid: 0, starts: 0, born: 0, stats: null, status: null, reason: 'is a symlink' }),
  ],
};

describe('tsuwsgi top: the Emperor\'s screen', () => {
  it('a header with the counts by state, a row per vassal: state, pid, owner, starts, uptime, last exit, next start, stats', () => {
    const lines = renderEmperorScreen(doc, { width: 200, now: NOW, live: false });
    expect(lines[0]).to.equal('tsuwsgi emperor 0.1.0  |  pid 7  |  up 1m40s  |  3 vassal(s): 1 running, 1 failed, 1 refused  |  tyrant');
    expect(lines[1]).to.equal('watching /etc/v  -  one vassal: tsuwsgi top ADDRESS --vassal NAME');
    expect(lines[3]).to.match(/^VASSAL\s+STATE\s+PID\s+UID\s+STARTS\s+UP\s+LAST EXIT\s+NEXT\s+STATS \/ STATUS$/);
    expect(lines[4]).to.match(/^a\.ini\s+running\s+10\s+-\s+1\s+1m40s\s+-\s+-\s+\/run\/a\.stats  2 worker\(s\) accepting$/);
    expect(lines[5]).to.match(/^bad\.ini\s+failed\s+-\s+1000\s+4\s+-\s+code 4 10s ago\s+2\.5s$/);
    expect(lines[6]).to.match(/^evil\\x1b\[2J\.ini\s+refused .* is a symlink$/i);
    expect(lines.join('\n')).to.not.include('\x1b');
  });

  it('--vassal NAME finds the vassal\'s stats address, or says why not', () => {
    expect(vassalStatsAddress(doc, 'a.ini')).to.equal('/run/a.stats');
    expect(vassalStatsAddress(doc, '/etc/v/a.ini')).to.equal('/run/a.stats');
    expect(vassalStatsAddress(doc, 'bad.ini')).to.deep.equal({ problem: 'vassal bad.ini has no stats address (set stats in its file, or in a vassals-include)' });
    expect(vassalStatsAddress(doc, 'nope.ini')).to.have.property('problem').that.match(/^no vassal "nope\.ini" \(vassals: a\.ini, bad\.ini/);
    expect(parseTopArgs(['/run/e.stats', '--vassal', 'a.ini'])).to.deep.equal({ address: '/run/e.stats', sort: 'w', vassal: 'a.ini' });
    expect(parseTopArgs(['/run/e.stats', '--vassal=a.ini', '--sort', 'm'])).to.deep.equal({ address: '/run/e.stats', sort: 'm', vassal: 'a.ini' });
    expect(() => parseTopArgs(['/run/e.stats', '--vassal'])).to.throw(/--vassal takes/);
  });
});
