/** A log that cannot be written drops and counts its lines; it never throws. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FdSink } from '../../../src/shared/fd-sink';
import { tempDir } from '../../support/tmp';

describe('shared/fd-sink', () => {
  it('writes whole texts to the fd', () => {
    const file = path.join(tempDir(), 'a.log');
    const fd = fs.openSync(file, 'a');
    const sink = new FdSink(fd, file);
    sink.write('one\n');
    sink.write('two\nthree\n');
    sink.close();
    expect(fs.readFileSync(file, 'utf8')).to.equal('one\ntwo\nthree\n');
  });

  it('a full disk (/dev/full: ENOSPC) drops the lines, says so once, never throws', () => {
    const fd = fs.openSync('/dev/full', 'w');
    const said: string[] = [];
    const sink = new FdSink(fd, '/dev/full', (m) => said.push(m));
    for (let i = 0; i < 100; i++) sink.write('a line\nand another\n');
    sink.close();
    expect(said).to.have.length(1);
    expect(said[0]).to.match(/cannot write the log to \/dev\/full: ENOSPC; 2 line\(s\) dropped so far$/);
  });

  it('a closed fd (EBADF) drops too', () => {
    const file = path.join(tempDir(), 'b.log');
    const fd = fs.openSync(file, 'a');
    fs.closeSync(fd);
    const said: string[] = [];
    const sink = new FdSink(fd, file, (m) => said.push(m));
    expect(() => sink.write('x\n')).to.not.throw();
    expect(said[0]).to.match(/EBADF/);
    // Its retry would go on writing the count to this fd number, which a later test file in the
    // same mocha worker opens again (it once wrote into accept-turn's board file).
    sink.close();
  });

  it('once writing works again, the log gets one line with the count of what was dropped', () => {
    const file = path.join(tempDir(), 'c.log');
    let fd = fs.openSync('/dev/full', 'w');
    const said: string[] = [];
    const sink = new FdSink(fd, file, (m) => said.push(m));
    sink.write('lost 1\nlost 2\n');
    sink.write('lost 3\n');
    // The same sink, its fd now pointing at a file with room: as when the disk is freed.
    const room = fs.openSync(file, 'a');
    fs.closeSync(fd);
    fd = room;
    (sink as unknown as { fd: number }).fd = room;
    sink.write('kept\n');
    sink.close();
    // The count starts on a fresh line (a cut write may have left the file mid-line).
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(fs.readFileSync(file, 'utf8').startsWith('\n')).to.equal(true);
    expect(lines).to.have.length(2);
    expect(JSON.parse(lines[0]!)).to.include({ level: 40, event: 'log-lines-dropped', lines: 3, code: 'ENOSPC' });
    expect(lines[1]).to.equal('kept');
  });
});
