/** The accept-turn board's records: what a worker writes is what its siblings read back. */
import { expect } from 'chai';
import { boardCapacity, decodeBoard, decodeRecord, encodeRecord, monotonicMs, RECORD_BYTES } from '../../../src/shared/turn-board';

const base = { stampMs: 1, elu: 0, cpuWait: 0, workerId: 1, present: true, primary: false, accepting: false, long: false };

describe('shared/turn-board', () => {
  it('a record reads back as written, at its slot', () => {
    const buf = Buffer.alloc(3 * RECORD_BYTES);
    encodeRecord(buf.subarray(2 * RECORD_BYTES), { ...base, stampMs: 123456.75, elu: 0.5, cpuWait: 51 / 255, workerId: 7 });
    const expected = { slot: 2, stampMs: 123456.75, elu: 0.5, cpuWait: 51 / 255, workerId: 7, present: true, primary: false, accepting: false, long: false };
    expect(decodeRecord(buf, 2)).to.deep.equal(expected);
    // The board lists the present records only.
    expect(decodeBoard(buf)).to.deep.equal([expected]);
  });

  it('an all-zero record is a free slot: not present, and not listed', () => {
    expect(decodeRecord(Buffer.alloc(RECORD_BYTES), 0)).to.deep.equal({ slot: 0, stampMs: 0, elu: 0, cpuWait: 0, workerId: 0, present: false, primary: false, accepting: false, long: false });
    expect(decodeBoard(Buffer.alloc(4 * RECORD_BYTES))).to.deep.equal([]);
  });

  it('the decision flags read back one by one', () => {
    const one = Buffer.alloc(RECORD_BYTES);
    for (const [primary, accepting, long] of [[true, true, false], [false, true, true], [false, false, true], [true, false, false], [false, false, false]] as const) {
      encodeRecord(one, { ...base, primary, accepting, long });
      expect(decodeRecord(one, 0)).to.include({ present: true, primary, accepting, long });
    }
  });

  it('a leaving worker clears its present flag; worker ids above 16 bits wrap rather than spill into the flags', () => {
    const one = Buffer.alloc(RECORD_BYTES);
    encodeRecord(one, { ...base, workerId: 3, present: false });
    expect(decodeRecord(one, 0).present).to.equal(false);
    expect(decodeBoard(one)).to.deep.equal([]);
    encodeRecord(one, { ...base, workerId: 0x10002 });
    expect(decodeRecord(one, 0)).to.include({ workerId: 2, present: true, primary: false, accepting: false });
  });

  it('the CPU wait is kept to 1/255, within 0 and 1 whatever is written, and touches no other field', () => {
    const one = Buffer.alloc(RECORD_BYTES);
    for (const [written, read] of [[0, 0], [1, 1], [0.41, 105 / 255], [1.7, 1], [-0.2, 0], [Number.NaN, 0]] as const) {
      encodeRecord(one, { ...base, cpuWait: written, primary: true, accepting: true });
      expect(decodeRecord(one, 0)).to.deep.equal({ ...base, slot: 0, cpuWait: read, primary: true, accepting: true });
    }
  });

  it('decodes whole records only: a short read ignores the partial tail', () => {
    const buf = Buffer.alloc(2 * RECORD_BYTES);
    for (const slot of [0, 1]) encodeRecord(buf.subarray(slot * RECORD_BYTES), { ...base, workerId: slot + 1 });
    expect(decodeBoard(buf)).to.have.length(2);
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
