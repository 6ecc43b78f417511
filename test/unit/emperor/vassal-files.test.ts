import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseDirOf, expandPatterns, globOf, globRegExp } from '../../../src/emperor/vassal-files';

describe('emperor/vassal-files (directories and globs)', () => {
  let root: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-glob-')));
    for (const f of ['v/a.ini', 'v/b.ini', 'v/.hidden.ini', 'v/notes.txt', 'v/sub/c.ini', 'apps/one/vassal.ini', 'apps/two/vassal.ini', 'apps/three/other.ini']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), '');
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a directory means its *.ini; a glob or a .ini path is taken as written', () => {
    expect(globOf('/etc/v')).to.equal('/etc/v/*.ini');
    expect(globOf('/etc/v/*.conf')).to.equal('/etc/v/*.conf');
    expect(globOf('/etc/v/app.ini')).to.equal('/etc/v/app.ini');
    expect(baseDirOf('/etc/v')).to.equal('/etc/v');
    expect(baseDirOf('/srv/*/vassal.ini')).to.equal('/srv');
    expect(baseDirOf('/etc/v/app.ini')).to.equal('/etc/v');
  });

  it('matches like a shell: *, ?, [..], [!..], never a leading dot unless the pattern has one', () => {
    expect(globRegExp('*.ini').test('a.ini')).to.equal(true);
    expect(globRegExp('*.ini').test('.a.ini')).to.equal(false);
    expect(globRegExp('.*.ini').test('.a.ini')).to.equal(true);
    expect(globRegExp('app?.ini').test('app1.ini')).to.equal(true);
    expect(globRegExp('app[12].ini').test('app3.ini')).to.equal(false);
    expect(globRegExp('app[!12].ini').test('app3.ini')).to.equal(true);
    expect(globRegExp('a+b(c).ini').test('a+b(c).ini')).to.equal(true);
  });

  it('expands a directory (not its subdirectories), a glob over directories, and reports the directories to watch (every one a wildcard reads, with or without a vassal yet)', () => {
    const dir = expandPatterns([path.join(root, 'v')]);
    expect(dir.files).to.deep.equal([path.join(root, 'v/a.ini'), path.join(root, 'v/b.ini')]);
    expect(dir.dirs).to.deep.equal([path.join(root, 'v')]);
    const glob = expandPatterns([path.join(root, 'apps/*/vassal.ini'), path.join(root, 'v/a.ini')]);
    expect(glob.files).to.deep.equal([path.join(root, 'apps/one/vassal.ini'), path.join(root, 'apps/two/vassal.ini'), path.join(root, 'v/a.ini')]);
    expect(glob.dirs).to.deep.equal([path.join(root, 'apps'), path.join(root, 'apps/one'), path.join(root, 'apps/three'), path.join(root, 'apps/two'), path.join(root, 'v')]);
    expect(expandPatterns([path.join(root, 'nowhere')]).files).to.deep.equal([]);
  });
});
