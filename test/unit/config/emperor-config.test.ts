import path from 'node:path';
import { expect } from 'chai';
import { loadAnyConfig, loadConfig } from '../../../src/config/load-config';
import { parseCommandLine } from '../../../src/config/argv';
import { errorOf, tempDirs, MINIMAL } from './temp-ini';

describe('config: an Emperor\'s configuration (emperor = ...)', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  it('`tsuwsgi --emperor DIR` is an Emperor with uWSGI\'s defaults (freq 3 s, throttle 1 s up to 3 min)', () => {
    const dir = temp.make();
    const r = parseCommandLine(['--emperor', 'vassals'], {}, dir);
    expect(r.kind).to.equal('emperor');
    if (r.kind !== 'emperor') return;
    expect(r.config).to.deep.equal({
      iniFile: undefined, patterns: [path.join(dir, 'vassals')], freq: 3, throttleMs: 1000, maxThrottleMs: 180_000, tyrant: false,
      stats: undefined, statsChmod: 0o600, vassalsInclude: [], vassalsInherit: [], logto: undefined, pidfile: undefined,
    });
  });

  it('`emperor = ...` in an ini: paths relative to the ini, several patterns, its own options', () => {
    const dir = temp.make({ 'emperor.ini': '[uwsgi]\nemperor = vassals\nemperor = /srv/*/vassal.ini\nemperor-tyrant = true\nemperor-stats-server = 127.0.0.1:9199\nvassals-include = common.ini\nvassals-inherit = defaults.ini:base\nlogto = emperor.log\nemperor-throttle = 250\n' });
    const r = loadAnyConfig({ ini: 'emperor.ini', cwd: dir, env: {} });
    expect(r.kind).to.equal('emperor');
    if (r.kind !== 'emperor') return;
    expect(r.config.patterns).to.deep.equal([path.join(dir, 'vassals'), '/srv/*/vassal.ini']);
    expect(r.config.tyrant).to.equal(true);
    expect(r.config.stats?.text).to.equal('127.0.0.1:9199');
    expect(r.config.vassalsInclude).to.deep.equal([path.join(dir, 'common.ini')]);
    expect(r.config.vassalsInherit).to.deep.equal([path.join(dir, 'defaults.ini:base')]);
    expect(r.config.logto).to.equal(path.join(dir, 'emperor.log'));
    expect([r.config.throttleMs, r.config.maxThrottleMs]).to.deep.equal([250, 180_000]);
  });

  it('a vassal\'s option in the Emperor\'s config is refused, saying where it belongs', () => {
    const dir = temp.make({ 'emperor.ini': '[uwsgi]\nemperor = vassals\nprocesses = 4\n' });
    expect(errorOf(() => loadAnyConfig({ ini: 'emperor.ini', cwd: dir, env: {} }))).to.deep.equal({
      code: 'E_CONFIG_BAD_VALUE',
      message: 'emperor.ini: processes = 4: a vassal\'s option, not the Emperor\'s (emperor is set); put it in the vassal files or in a vassals-include file',
    });
  });

  it('a server\'s config (a vassal) cannot be an Emperor; emperor-* options there are ignored with a warning', () => {
    const dir = temp.make({ 'app.ini': `[uwsgi]\n${MINIMAL}emperor = x\n`, 'b.ini': `[uwsgi]\n${MINIMAL}emperor-freq = 5\n` });
    expect(errorOf(() => loadConfig({ ini: 'app.ini', cwd: dir, env: {} })).code).to.equal('E_CONFIG_BAD_VALUE');
    expect(loadConfig({ ini: 'b.ini', cwd: dir, env: {} }).warnings).to.deep.equal(['b.ini: emperor-freq = 5: only an Emperor (emperor = DIR) reads it; ignored']);
  });

  it('uWSGI Emperor options tsuwsgi does not implement warn (and fail under strict)', () => {
    const dir = temp.make({ 'e.ini': '[uwsgi]\nemperor = v\nemperor-nofollow = true\n', 's.ini': '[uwsgi]\nemperor = v\nvassal-set = processes=2\nstrict = true\n' });
    const r = loadAnyConfig({ ini: 'e.ini', cwd: dir, env: {} });
    expect(r.warnings).to.deep.equal(['e.ini: emperor-nofollow = "true": a uWSGI option tsuwsgi does not implement; ignored']);
    expect(errorOf(() => loadAnyConfig({ ini: 's.ini', cwd: dir, env: {} })).code).to.equal('E_CONFIG_UNSUPPORTED_OPTION');
  });
});
