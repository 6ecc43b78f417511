/** The pidfile on real files: written by rename, removed only while it is ours. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { removePidfile, writePidfile } from '../../../src/master/pidfile';
import { tempDir } from '../../support/tmp';

describe('master/pidfile', () => {
  it('replaces a symlink at the path instead of writing through it, and leaves no temp file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep\n');
    const file = path.join(dir, 'app.pid');
    fs.symlinkSync(target, file);
    writePidfile(file);
    expect(fs.lstatSync(file).isFile()).to.equal(true);
    expect(fs.readFileSync(file, 'utf8')).to.equal(`${process.pid}\n`);
    expect(fs.readFileSync(target, 'utf8')).to.equal('keep\n');
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['app.pid', 'target']);
  });

  it('removes it only while it is a regular file holding our pid', () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.pid');
    writePidfile(file);
    expect(removePidfile(file)).to.equal('removed');
    expect(removePidfile(file)).to.equal('gone');
    fs.writeFileSync(file, '1\n');
    expect(removePidfile(file)).to.equal('not-ours');
    fs.unlinkSync(file);
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, `${process.pid}\n`);
    fs.symlinkSync(other, file);
    expect(removePidfile(file), 'a symlink to a file with our pid').to.equal('not-ours');
    expect(fs.lstatSync(file).isSymbolicLink()).to.equal(true);
  });
});
