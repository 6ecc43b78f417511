/** The master's accept-turn board: a file nobody else can open, one record per worker, zeroed when freed. */
import { expect } from 'chai';
import fs from 'node:fs';
import { acceptingFor, TurnBoardFile } from '../../../src/master/turn-board-file';
import { encodeRecord, RECORD_BYTES } from '../../../src/shared/turn-board';
import { tempDir } from '../../support/tmp';

const cfg = (over: Partial<Parameters<typeof acceptingFor>[0]> = {}): Parameters<typeof acceptingFor>[0] => ({
  acceptingWorkers: 'auto', processes: 4, cheaper: 0, threads: 2, threadsMin: 1, ...over,
});

describe('master/turn-board-file', () => {
  it('accepting-workers: auto is the CPU count with more workers than CPUs, one otherwise, and nothing for one worker', () => {
    expect(acceptingFor(cfg(), 2)).to.equal(2);
    expect(acceptingFor(cfg({ processes: 3 }), 2)).to.equal(2);
    expect(acceptingFor(cfg({ processes: 2 }), 2)).to.equal(1);
    expect(acceptingFor(cfg(), 8)).to.equal(1);
    expect(acceptingFor(cfg({ processes: 1 }), 2)).to.equal(0);
    expect(acceptingFor(cfg({ processes: 1 }), 1)).to.equal(0);
    expect(acceptingFor(cfg({ acceptingWorkers: 1 }), 8)).to.equal(1);
    expect(acceptingFor(cfg({ acceptingWorkers: 4 }), 1)).to.equal(0);
  });

  it('0 means every worker accepts; cheaper and a supervising main thread (threads-min > 1) switch turns off', () => {
    expect(acceptingFor(cfg({ acceptingWorkers: 0 }), 2)).to.equal(0);
    expect(acceptingFor(cfg({ cheaper: 1 }), 2)).to.equal(0);
    expect(acceptingFor(cfg({ threadsMin: 2 }), 2)).to.equal(0);
    expect(acceptingFor(cfg({ threads: 1, threadsMin: 1 }), 2)).to.equal(2);
  });

  it('leaves no file behind, even while open, and takes the next directory when one refuses', () => {
    const dir = tempDir();
    const board = TurnBoardFile.create(4, [`${dir}/missing`, dir]);
    expect(board).to.not.equal(undefined);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    expect(fs.fstatSync(board!.fd).size).to.equal(board!.capacity * RECORD_BYTES);
    expect(fs.fstatSync(board!.fd).mode & 0o777).to.equal(0o600);
    fs.closeSync(board!.fd);
    expect(TurnBoardFile.create(4, [`${dir}/missing`])).to.equal(undefined);
  });

  it('gives each worker its own record, zeroes it when freed, and says when it is full', () => {
    const board = TurnBoardFile.create(1, [tempDir()])!;
    try {
      const taken = new Set<number>();
      for (let i = 0; i < board.capacity; i++) taken.add(board.take()!);
      expect(taken.size).to.equal(board.capacity);
      expect(board.take()).to.equal(undefined);
      const rec = Buffer.alloc(RECORD_BYTES);
      encodeRecord(rec, { stampMs: 5, elu: 1, cpuWait: 0, workerId: 3, present: true, primary: true, accepting: true, long: true });
      fs.writeSync(board.fd, rec, 0, RECORD_BYTES, 2 * RECORD_BYTES);
      expect(board.read(2)).to.deep.equal({ slot: 2, stampMs: 5, elu: 1, cpuWait: 0, workerId: 3, present: true, primary: true, accepting: true, long: true });
      board.release(2);
      board.release(2);
      expect(board.read(2)).to.deep.include({ slot: 2, present: false, stampMs: 0 });
      expect(board.take()).to.equal(2);
      expect(board.take()).to.equal(undefined);
    } finally {
      fs.closeSync(board.fd);
    }
  });
});
