/** openLogFile on real files: what every process (master, workers, threads) opens logto with. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openLogFile } from '../../../src/shared/log-file';
import { tempDir } from '../../support/tmp';
import { skipUnless, whyNotRoot } from '../../support/skip';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

describe('shared/log-file: openLogFile', () => {
  it('creates a missing file 0640 and its directories, appending to an existing one', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a', 'b', 'app.log');
    const prev = process.umask(0o022);
    try {
      fs.closeSync(openLogFile(file));
    } finally {
      process.umask(prev);
    }
    expect(fs.statSync(file).mode & 0o777).to.equal(0o640);
    fs.writeFileSync(file, 'first\n');
    const fd = openLogFile(file);
    fs.writeSync(fd, 'second\n');
    fs.closeSync(fd);
    expect(fs.readFileSync(file, 'utf8')).to.equal('first\nsecond\n');
  });

  it('refuses a symlink (E_LOGTO) and never writes to its target', () => {
    const dir = tempDir();
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep\n');
    const file = path.join(dir, 'app.log');
    fs.symlinkSync(target, file);
    const err = errorOf(() => openLogFile(file));
    expect(err.code).to.equal('E_LOGTO');
    expect(err.message).to.contain(file).and.contain('symbolic link');
    expect(fs.readFileSync(target, 'utf8')).to.equal('keep\n');
  });

  it('refuses a file with another link (a hard link) and anything not a regular file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep\n');
    const file = path.join(dir, 'app.log');
    fs.linkSync(target, file);
    expect(errorOf(() => openLogFile(file)).message).to.contain('has 2 hard links');
    const other = tempDir();
    const directory = path.join(other, 'app.log');
    fs.mkdirSync(directory);
    expect(errorOf(() => openLogFile(directory)).code).to.equal('E_LOGTO');
  });

  it('gives the file to the owner asked, through the fd (root only)', function () {
    skipUnless(this, whyNotRoot());
    const file = path.join(tempDir(), 'app.log');
    fs.closeSync(openLogFile(file, { uid: 65534, gid: 65534 }));
    expect(fs.statSync(file)).to.include({ uid: 65534, gid: 65534 });
  });
});
