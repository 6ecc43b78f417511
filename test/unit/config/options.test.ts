import { expect } from 'chai';
import { allOptionNames, findOption, OPTION_SECTIONS, optionTable } from '../../../src/config/options';
import { parseValue } from '../../../src/config/values';
import { uwsgiOnlyOptions } from '../../../src/config/uwsgi-only-options';

describe('config/options (the table)', () => {
  it('names and aliases are unique across the table', () => {
    const names = optionTable.flatMap((o) => [o.name, ...o.aliases]);
    expect(new Set(names).size).to.equal(names.length);
    expect(allOptionNames()).to.have.members(names);
  });
  it('has the aliases uWSGI users expect', () => {
    expect(findOption('uwsgi-socket')?.name).to.equal('socket');
    expect(findOption('workers')?.name).to.equal('processes');
    expect(findOption('file')?.name).to.equal('wsgi-file');
    expect(findOption('nope')).to.equal(undefined);
  });
  it('every default parses with its own kind', () => {
    for (const spec of optionTable.filter((o) => o.default !== undefined)) {
      expect(parseValue(spec, spec.default ?? '', { baseDir: '/' }), spec.name).to.have.property('value');
    }
  });
  it('documents the defaults from the brief', () => {
    const defaults = Object.fromEntries(optionTable.map((o) => [o.name, o.default]));
    expect(defaults).to.include({
      processes: '1', threads: '1', master: 'true', vacuum: 'false', 'die-on-term': 'false', 'buffer-size': '4096',
      'limit-post': '0', listen: '1024', 'need-app': 'true', strict: 'false', 'worker-reload-mercy': '60',
    });
  });
  it('every row has a one-line help, a known section and a metavar', () => {
    for (const spec of optionTable) {
      expect(spec.help, spec.name).to.match(/^[^\n]+$/);
      expect(OPTION_SECTIONS, spec.name).to.include(spec.section);
      expect(spec.metavar, spec.name).to.not.equal('');
    }
  });
  it('only repeatable options are lists; min ≤ max', () => {
    expect(optionTable.filter((o) => o.repeatable).map((o) => o.name)).to.have.members([
      'socket', 'http-socket', 'node-args', 'env', 'touch-reload', 'touch-chain-reload', 'attach-daemon', 'smart-attach-daemon', 'attach-daemon2',
      'emperor', 'vassals-include', 'vassals-inherit', 'include', 'inherit',
      'static-map', 'static-map2', 'static-check', 'static-index', 'static-safe', 'static-skip-ext',
      'static-expires', 'static-expires-mtime', 'static-expires-uri', 'static-expires-uri-mtime',
      'static-expires-path-info', 'static-expires-path-info-mtime', 'static-expires-type', 'static-expires-type-mtime',
      'mule', 'cron',
    ]);
    for (const o of optionTable) if (o.min !== undefined && o.max !== undefined) expect(o.min).to.be.at.most(o.max);
  });
  it('every Config field set from the table is set by one row only', () => {
    const keys = optionTable.map((o) => o.key).filter((k) => k !== undefined);
    expect(new Set(keys).size).to.equal(keys.length);
  });
  it('rows and their alias lists are frozen', () => {
    expect(Object.isFrozen(optionTable)).to.equal(true);
    for (const o of optionTable) expect(Object.isFrozen(o) && Object.isFrozen(o.aliases), o.name).to.equal(true);
  });
  it('stats, stats-server and stats-http are implemented (in the table, not in the uWSGI-only list)', () => {
    expect(findOption('stats-server')?.name).to.equal('stats');
    expect(findOption('stats-http')?.kind).to.equal('bool');
    for (const name of ['stats', 'stats-server', 'stats-http']) expect(uwsgiOnlyOptions.has(name), name).to.equal(false);
  });
  it('the Emperor options are implemented (in the table, not in the uWSGI-only list)', () => {
    expect(findOption('emperor-stats-server')?.name).to.equal('emperor-stats');
    for (const name of ['emperor', 'emperor-freq', 'emperor-throttle', 'emperor-max-throttle', 'emperor-tyrant', 'emperor-stats', 'vassals-include', 'vassals-inherit', 'include', 'inherit']) {
      expect(findOption(name)?.name, name).to.equal(name);
      expect(uwsgiOnlyOptions.has(name), name).to.equal(false);
    }
  });
  it('no uWSGI-only option is also in the table', () => {
    for (const name of allOptionNames()) expect(uwsgiOnlyOptions.has(name), name).to.equal(false);
  });
  it('the uWSGI-only list holds the options the brief names', () => {
    for (const name of ['plugins', 'plugin', 'enable-threads', 'thunder-lock', 'lazy-apps', 'single-interpreter', 'py-autoreload',
      'home', 'virtualenv', 'venv', 'pythonpath', 'stats-minified']) {
      expect(uwsgiOnlyOptions.has(name), name).to.equal(true);
    }
  });
});
