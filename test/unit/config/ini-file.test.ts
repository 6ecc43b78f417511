import path from 'node:path';
import { expect } from 'chai';
import { readIniSection, splitIniSpec } from '../../../src/config/ini-file';
import { errorOf, tempDirs } from './temp-ini';

describe('config/ini-file', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());

  it('splits FILE.ini:section, defaulting to [uwsgi]', () => {
    expect(splitIniSpec('app.ini')).to.deep.equal({ file: 'app.ini', section: 'uwsgi' });
    expect(splitIniSpec('app.ini:other')).to.deep.equal({ file: 'app.ini', section: 'other' });
    expect(splitIniSpec('/etc/x/app.ini:prod')).to.deep.equal({ file: '/etc/x/app.ini', section: 'prod' });
    expect(splitIniSpec('./a:b/app.ini')).to.deep.equal({ file: './a:b/app.ini', section: 'uwsgi' });
  });

  it('reads the section with keys in file order and repeated keys as lists', () => {
    const dir = temp.make({ 'a.ini': '[uwsgi]\nsocket = :1\nenv = A=1\nprocesses = 2\nenv = B=2\n[other]\nthreads = 3\n' });
    const s = readIniSection('a.ini', 'uwsgi', dir);
    expect(s.absolutePath).to.equal(path.join(dir, 'a.ini'));
    expect(s.shown).to.equal('a.ini');
    expect(s.entries).to.deep.equal([
      { key: 'socket', values: [':1'] },
      { key: 'env', values: ['A=1', 'B=2'] },
      { key: 'processes', values: ['2'] },
    ]);
  });

  it('selects another section', () => {
    const dir = temp.make({ 'a.ini': '[uwsgi]\nprocesses = 2\n[other]\nprocesses = 3\n' });
    expect(readIniSection('a.ini', 'other', dir).entries).to.deep.equal([{ key: 'processes', values: ['3'] }]);
  });

  it('gives true/false/null and quoted numbers back as text', () => {
    const dir = temp.make({ 'a.ini': '[uwsgi]\nvacuum = true\nmaster = false\nx = null\nn = "12"\n' });
    expect(readIniSection('a.ini', 'uwsgi', dir).entries.map((e) => e.values[0])).to.deep.equal(['true', 'false', 'null', '12']);
  });

  it('lists keys written before any section', () => {
    const dir = temp.make({ 'a.ini': 'processes = 2\n[uwsgi]\nthreads = 1\n' });
    expect(readIniSection('a.ini', 'uwsgi', dir).outsideSection).to.deep.equal(['processes']);
  });

  it('a missing file is E_CONFIG_FILE naming the path', () => {
    const dir = temp.make();
    const err = errorOf(() => readIniSection('missing.ini', 'uwsgi', dir));
    expect(err.code).to.equal('E_CONFIG_FILE');
    expect(err.message).to.equal('missing.ini: cannot read the configuration file (ENOENT)');
  });

  it('a directory is E_CONFIG_FILE too', () => {
    const dir = temp.make({ 'sub/x': '' });
    expect(errorOf(() => readIniSection('sub', 'uwsgi', dir)).code).to.equal('E_CONFIG_FILE');
  });

  it('a missing section is E_CONFIG_SECTION naming file and section', () => {
    const dir = temp.make({ 'a.ini': '[uwsgi]\nprocesses = 2\n' });
    const err = errorOf(() => readIniSection('a.ini', 'prod', dir));
    expect(err.code).to.equal('E_CONFIG_SECTION');
    expect(err.message).to.equal('a.ini: no [prod] section');
  });

  it('a key is not a section, and inherited object keys are not sections', () => {
    const dir = temp.make({ 'a.ini': 'prod = 1\n[uwsgi]\n' });
    expect(errorOf(() => readIniSection('a.ini', 'prod', dir)).code).to.equal('E_CONFIG_SECTION');
    expect(errorOf(() => readIniSection('a.ini', 'constructor', dir)).code).to.equal('E_CONFIG_SECTION');
  });

  it('an empty section reads as no entries', () => {
    const dir = temp.make({ 'a.ini': '[uwsgi]\n# nothing yet\n' });
    expect(readIniSection('a.ini', 'uwsgi', dir).entries).to.deep.equal([]);
  });
});
