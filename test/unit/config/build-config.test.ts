/**
 * build-config's checks of the cheaper options, as uWSGI's sanitize_args (core/init.c) makes
 * them: cheaper below processes (else exit), cheaper-initial defaulting to cheaper and clamped
 * into cheaper..processes with a warning, the rss limits' pairing, plus tsuwsgi's own refusal of
 * an unknown algorithm (uWSGI falls back to spare with a log line). Through loadConfig, the
 * path every start takes.
 */
import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load-config';
import type { Config } from '../../../src/shared/config';
import { errorOf, MINIMAL, tempDirs } from './temp-ini';

describe('config/build-config: the cheaper options', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  function load(body: string): { config: Config; warnings: readonly string[] } {
    const dir = temp.make({ 'app.ini': `[uwsgi]\n${MINIMAL}${body}` });
    return loadConfig({ ini: 'app.ini', cwd: dir, env: {} });
  }
  const refused = (body: string): string => {
    const e = errorOf(() => load(body));
    expect(e.code).to.equal('E_CONFIG_BAD_VALUE');
    return e.message;
  };
  const cheaperOf = (c: Config) => ({
    cheaper: c.cheaper, initial: c.cheaperInitial, step: c.cheaperStep, overload: c.cheaperOverload, algo: c.cheaperAlgo,
    soft: c.cheaperRssLimitSoft, hard: c.cheaperRssLimitHard,
  });

  it("defaults: no cheaper (a fixed count), uWSGI's step 1, overload 3 s, algo spare, no rss limits, no warning", () => {
    const { config, warnings } = load('processes = 4\n');
    expect(cheaperOf(config)).to.deep.equal({ cheaper: 0, initial: 0, step: 1, overload: 3, algo: 'spare', soft: 0, hard: 0 });
    expect(warnings).to.deep.equal([]);
  });

  it('cheaper-initial defaults to cheaper (the minimum starts, as uWSGI)', () => {
    const { config, warnings } = load('processes = 4\ncheaper = 2\n');
    expect(config.cheaperInitial).to.equal(2);
    expect(warnings).to.deep.equal([]);
  });

  it('keeps a cheaper-initial within cheaper..processes, bounds included', () => {
    for (const initial of [1, 3, 4]) expect(load(`processes = 4\ncheaper = 1\ncheaper-initial = ${initial}\n`).config.cheaperInitial).to.equal(initial);
  });

  it('clamps cheaper-initial below cheaper up to cheaper, above processes down to processes, with a warning naming both', () => {
    const low = load('processes = 4\ncheaper = 2\ncheaper-initial = 1\n');
    expect(low.config.cheaperInitial).to.equal(2);
    expect(low.warnings).to.deep.equal(['cheaper-initial = 1 is outside cheaper..processes (2..4): starting 2']);
    const high = load('processes = 4\ncheaper = 2\ncheaper-initial = 9\n');
    expect(high.config.cheaperInitial).to.equal(4);
    expect(high.warnings).to.deep.equal(['cheaper-initial = 9 is outside cheaper..processes (2..4): starting 4']);
  });

  it('refuses cheaper at or above processes (uWSGI: "must be lower than processes"), workers = being processes', () => {
    expect(refused('processes = 4\ncheaper = 4\n')).to.match(/app\.ini: cheaper = 4: must be lower than processes \(4\)/);
    expect(refused('processes = 2\ncheaper = 3\n')).to.match(/cheaper = 3: must be lower than processes \(2\)/);
    expect(refused('workers = 1\ncheaper = 1\n')).to.match(/cheaper = 1: must be lower than processes \(1\)/);
    expect(load('processes = 4\ncheaper = 3\n').config.cheaper).to.equal(3);
  });

  it('leaves cheaper-initial alone without cheaper (uWSGI ignores it there too)', () => {
    const { config, warnings } = load('processes = 2\ncheaper-initial = 9\n');
    expect(config.cheaperInitial).to.equal(9);
    expect(warnings).to.deep.equal([]);
  });

  it('takes each known algorithm and refuses an unknown one, listing the known', () => {
    for (const algo of ['spare', 'backlog', 'busyness', 'manual']) {
      expect(load(`processes = 4\ncheaper = 1\ncheaper-algo = ${algo}\n`).config.cheaperAlgo).to.equal(algo);
    }
    expect(refused('processes = 4\ncheaper = 1\ncheaper-algo = spare2\n')).to.match(/cheaper-algo = spare2: expected one of spare, backlog, busyness, manual/);
    expect(refused('processes = 4\ncheaper = 1\ncheaper-algo = Spare\n')).to.match(/cheaper-algo = Spare/);
  });

  it('refuses cheaper-rss-limit-hard without cheaper-rss-limit-soft, or at or below it', () => {
    expect(refused('processes = 4\ncheaper = 1\ncheaper-rss-limit-hard = 200m\n')).to.match(/cheaper-rss-limit-hard needs cheaper-rss-limit-soft too/);
    expect(refused('processes = 4\ncheaper = 1\ncheaper-rss-limit-soft = 200m\ncheaper-rss-limit-hard = 200m\n')).to.match(/must be above cheaper-rss-limit-soft/);
    expect(refused('processes = 4\ncheaper = 1\ncheaper-rss-limit-soft = 300m\ncheaper-rss-limit-hard = 200m\n')).to.match(/must be above cheaper-rss-limit-soft/);
    const ok = load('processes = 4\ncheaper = 1\ncheaper-rss-limit-soft = 200m\ncheaper-rss-limit-hard = 201m\n').config;
    expect([ok.cheaperRssLimitSoft, ok.cheaperRssLimitHard]).to.deep.equal([200 * 1048576, 201 * 1048576]);
    expect(load('processes = 4\ncheaper = 1\ncheaper-rss-limit-soft = 200m\n').config.cheaperRssLimitHard).to.equal(0);
  });

  it('checks the rss limits even without cheaper, as uWSGI does', () => {
    expect(refused('processes = 4\ncheaper-rss-limit-hard = 200m\n')).to.match(/cheaper-rss-limit-hard needs cheaper-rss-limit-soft too/);
  });

  it('cheaper-step and cheaper-overload: at least 1; a step past processes is kept (the algorithms clamp each addition)', () => {
    expect(refused('processes = 4\ncheaper = 1\ncheaper-step = 0\n')).to.match(/cheaper-step/);
    expect(refused('processes = 4\ncheaper = 1\ncheaper-overload = 0\n')).to.match(/cheaper-overload/);
    expect(refused('processes = 4\ncheaper = -1\n')).to.match(/cheaper/);
    const { config } = load('processes = 4\ncheaper = 1\ncheaper-step = 8\ncheaper-overload = 1\n');
    expect([config.cheaperStep, config.cheaperOverload]).to.deep.equal([8, 1]);
  });
});
