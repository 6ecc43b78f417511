/** The accept-turn board's records: what a worker writes is what its siblings read back. */
import { expect } from 'chai';
import { boardCapacity, decodeBoard, encodeRecord, monotonicMs, RECORD_BYTES } from '../../../src/shared/turn-board';

describe('shared/turn-board', () => {
  it('a record reads back as written, at its slot', () => {
    const buf = Buffer.alloc(3 * RECORD_BYTES);
    const one = Buffer.alloc(RECORD_BYTES);
    encodeRecord(one, { stampMs: 123456.75, elu: 0.5, workerId: 7, present: true, primary: false, accepting: false });
    one.copy(buf, 2 * RECORD_BYTES);
    const records = decodeBoard(buf);
    expect(records).to.have.length(3);
    expect(records[2]).to.deep.equal({ slot: 2, stampMs: 123456.75, elu: 0.5, workerId: 7, present: true, primary: false, accepting: false });
  });

  it('an all-zero record is a free slot: not present', () => {
    expect(decodeBoard(Buffer.alloc(RECORD_BYTES))[0]).to.deep.equal({ slot: 0, stampMs: 0, elu: 0, workerId: 0, present: false, primary: false, accepting: false });
  });

  it('a leaving worker clears its present flag; worker ids above 16 bits wrap rather than spill into the flags', () => {
    const one = Buffer.alloc(RECORD_BYTES);
    encodeRecord(one, { stampMs: 1, elu: 1, workerId: 3, present: false, primary: false, accepting: false });
    expect(decodeBoard(one)[0]!.present).to.equal(false);
    encodeRecord(one, { stampMs: 1, elu: 1, workerId: 0x10002, present: true, primary: false, accepting: false });
    expect(decodeBoard(one)[0]).to.include({ workerId: 2, present: true, primary: false, accepting: false });
  });

  it('decodes whole records only: a short read ignores the partial tail', () => {
    const buf = Buffer.alloc(2 * RECORD_BYTES);
    expect(decodeBoard(buf, RECORD_BYTES + 5)).to.have.length(1);
    expect(decodeBoard(buf, 0)).to.have.length(0);
  });

  it('holds every worker and its replacement during a reload, and some more', () => {
    expect(boardCapacity(4)).to.be.at.least(8);
    expect(boardCapacity(1)).to.be.at.least(2);
  });

  it('the clock is the system monotonic one: it agrees between processes', async () => {
    const { execFileSync } = await import('node:child_process');
    const before = monotonicMs();
    const child = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Number(process.hrtime.bigint()) / 1e6))']).toString());
    const after = monotonicMs();
    expect(child).to.be.within(before, after);
  });
});
