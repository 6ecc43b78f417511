import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, type CliEntry } from '../../../../src/config/load-config';
import { includeLayers, inheritDefaults } from '../../../../src/config/merge';
import type { Layer, Setting } from '../../../../src/config/settings';
import { errorOf, tempDirs } from '../temp-ini';

/** A layer from `name: [values]`, every value from one pretend file. */
function layer(values: Record<string, string[]>, file = 'x.ini'): Layer {
  const origin = { kind: 'file' as const, shown: file, dir: '/' };
  return new Map(Object.entries(values).map(([k, vs]): [string, Setting[]] => [k, vs.map((text) => ({ key: k, text, origin }))]));
}
const texts = (l: Layer): Record<string, string[]> => Object.fromEntries([...l].map(([k, s]) => [k, s.map((x) => x.text)]));

describe('config: --include / --inherit (the Emperor\'s vassals-include / vassals-inherit)', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  it('include: the included lines come first, so lists add up and the main file\'s single values win', () => {
    const merged = includeLayers([layer({ env: ['A=1'], processes: ['4'], harakiri: ['30'] }), layer({ env: ['B=2'] })], layer({ env: ['C=3'], processes: ['2'] }));
    expect(texts(merged)).to.deep.equal({ env: ['A=1', 'B=2', 'C=3'], processes: ['4', '2'], harakiri: ['30'] });
  });

  it('include: a main file naming the app one way drops the included other way (module vs wsgi-file)', () => {
    expect(texts(includeLayers([layer({ 'wsgi-file': ['a.js'] })], layer({ module: ['pkg'] })))).to.deep.equal({ module: ['pkg'] });
  });

  it('inherit: defaults, replaced whole by whatever sets the option over them (lists too); later inherits win', () => {
    const merged = inheritDefaults([layer({ env: ['A=1'], processes: ['4'], logto: ['/a'] }), layer({ logto: ['/b'] })], layer({ env: ['C=3'] }));
    expect(texts(merged)).to.deep.equal({ env: ['C=3'], processes: ['4'], logto: ['/b'] });
  });

  function load(files: Record<string, string>, cli: CliEntry[]) {
    const dir = temp.make(files);
    return { dir, ...loadConfig({ ini: 'vassals/app.ini', cwd: dir, env: { HOME: '/home/x' }, cli }) };
  }

  it('through the loader: include, inherit, the vassal and the command line, each in its place', () => {
    const { config, dir } = load({
      'vassals/app.ini': '[uwsgi]\nwsgi-file = app.js\nenv = OWN=1\nprocesses = 3\n',
      'common.ini': '[uwsgi]\nenv = COMMON=1\nprocesses = 8\nharakiri = 20\nsocket = /run/%n.sock\n',
      'defaults.ini': '[uwsgi]\nenv = DEFAULT=1\nthreads = 4\nharakiri = 99\nlogto = %d%n.log\n',
    }, [{ key: 'include', value: 'common.ini' }, { key: 'inherit', value: 'defaults.ini' }, { key: 'threads', value: '2' }]);
    expect(config.env).to.deep.equal([['COMMON', '1'], ['OWN', '1']]);
    expect(config.processes).to.equal(3);
    expect(config.harakiri).to.equal(20);
    expect(config.threads).to.equal(2);
    // %n, %d name the vassal's file, not the template: one template serves every vassal.
    expect(config.socket).to.deep.equal([{ kind: 'unix', path: '/run/app.sock', text: '/run/app.sock' }]);
    expect(config.logto).to.equal(path.join(dir, 'vassals', 'app.log'));
    expect(config.iniFile).to.equal(path.join(dir, 'vassals', 'app.ini'));
    expect(config.appFile).to.equal(path.join(dir, 'vassals', 'app.js'));
  });

  it('a template may use the vassal\'s own keys as %(key), and the vassal may set keys only a template uses', () => {
    const { config } = load({
      'vassals/app.ini': '[uwsgi]\nwsgi-file = app.js\napp_port = 9001\n',
      'common.ini': '[uwsgi]\nhttp-socket = 127.0.0.1:%(app_port)\n',
    }, [{ key: 'include', value: 'common.ini' }]);
    expect(config.httpSocket.map((s) => s.text)).to.deep.equal(['127.0.0.1:9001']);
  });

  it('include/inherit are command-line only; in an ini they are refused, not ignored', () => {
    const dir = temp.make({ 'app.ini': '[uwsgi]\nwsgi-file = app.js\nsocket = :1\ninclude = other.ini\n' });
    const err = errorOf(() => loadConfig({ ini: 'app.ini', cwd: dir, env: {} }));
    expect(err).to.deep.equal({ code: 'E_CONFIG_BAD_VALUE', message: 'app.ini: include = "other.ini": only on the command line (--include FILE), as the Emperor\'s vassals-include passes it; not inside an ini' });
  });

  it('a template that cannot be read is the usual one-line error naming it', () => {
    const dir = temp.make({ 'app.ini': '[uwsgi]\nwsgi-file = app.js\nsocket = :1\n' });
    expect(errorOf(() => loadConfig({ ini: 'app.ini', cwd: dir, env: {}, cli: [{ key: 'inherit', value: 'nope.ini' }] })).code).to.equal('E_CONFIG_FILE');
  });
});
