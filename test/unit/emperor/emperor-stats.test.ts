import { expect } from 'chai';
import { emperorDocument } from '../../../src/emperor/emperor-stats';
import * as table from '../../../src/emperor/vassal-table';
import { LOYAL_AFTER_MS } from '../../../src/emperor/throttle';
import type { EmperorConfig } from '../../../src/shared/config';

const config: EmperorConfig = {
  iniFile: undefined, patterns: ['/etc/v'], freq: 3, throttleMs: 1000, maxThrottleMs: 5000, tyrant: true, stats: undefined,
  statsChmod: 0o600, vassalsInclude: [], vassalsInherit: [], logto: undefined, pidfile: undefined,
};
const self = { pid: 1, uid: 0, gid: 0, cwd: '/', startedAt: 1_000_000 };
const sig = { mtimeMs: 123_456, ino: 1, size: 1, uid: 1000, gid: 1000, mode: 0o100644 };

describe('emperor/emperor-stats (the document)', () => {
  it('one entry per vassal: state, pid, uid/gid, starts, readiness, loyalty, last exit, throttle, stats address', () => {
    const { vassal: up } = table.newVassal('/etc/v/up.ini', 'up.ini', sig, { ok: true, runAs: { uid: 1000, gid: 1000 } });
    table.started(up, 50, 2_000_000);
    table.notified(up, 'ready', '2 worker(s) accepting', 2_001_000);
    const { vassal: bad } = table.newVassal('/etc/v/bad.ini', 'bad.ini', sig, { ok: true, runAs: undefined });
    table.started(bad, 60, 2_000_000);
    table.exited(bad, { code: 4, signal: null, at: 2_000_500 }, config, false);
    const now = 2_001_000 + LOYAL_AFTER_MS;
    const doc = emperorDocument(config, [{ vassal: up, stats: '/run/up.stats' }, { vassal: bad, stats: undefined }], now, self);
    expect(doc).to.deep.include({ pid: 1, emperor: ['/etc/v'], emperor_tyrant: 1, throttle_ms: 1000, max_throttle_ms: 5000, emperor_started: 1000 });
    expect(doc.vassals[0]).to.deep.equal({
      id: 'up.ini', config: '/etc/v/up.ini', state: 'running', pid: 50, uid: 1000, gid: 1000, starts: 1, respawns: 0, born: 2000,
      ready: 1, loyal: 1, last_mod: 123, last_exit: null, strikes: 0, next_start_in_ms: null, stats: '/run/up.stats',
      status: '2 worker(s) accepting', reason: null,
    });
    expect(doc.vassals[1]).to.deep.include({
      id: 'bad.ini', state: 'throttled', pid: 0, uid: null, starts: 1, born: 0, ready: 0, loyal: 0, strikes: 1,
      last_exit: { code: 4, signal: null, at: 2000 }, next_start_in_ms: 0, stats: null,
    });
    expect(JSON.parse(JSON.stringify(doc))).to.deep.equal(doc);
  });
});
