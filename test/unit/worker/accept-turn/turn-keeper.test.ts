import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { AcceptGate } from '../../../../src/server/accept-gate';
import { TurnKeeper } from '../../../../src/worker/accept-turn/turn-keeper';
import { TICK_MS } from '../../../../src/worker/accept-turn/turn-policy';
import { decodeBoard, RECORD_BYTES } from '../../../../src/shared/turn-board';
import { tempDir } from '../../../support/tmp';
import { waitUntil } from '../../../support/wait';

const CAPACITY = 8;

/** What a keeper tells its gate: the last turn it set. */
class GateSpy {
  turns: boolean[] = [];
  setTurn(open: boolean): void {
    this.turns.push(open);
  }
  get last(): boolean | undefined {
    return this.turns[this.turns.length - 1];
  }
}

describe('TurnKeeper (the worker side of accept turns, on a real board file)', function () {
  this.timeout(10_000);
  const keepers: TurnKeeper[] = [];
  const fds: number[] = [];
  let board = '';

  beforeEach(() => {
    board = path.join(tempDir(), 'board');
    fs.writeFileSync(board, Buffer.alloc(CAPACITY * RECORD_BYTES), { mode: 0o600 });
  });
  afterEach(() => {
    for (const k of keepers.splice(0)) k.leave();
    for (const fd of fds.splice(0)) fs.closeSync(fd);
  });

  const open = (flags: string): number => {
    const fd = fs.openSync(board, flags);
    fds.push(fd);
    return fd;
  };
  const keeper = (fd: number, slot: number, workerId: number, accepting: number, requests?: () => number): GateSpy => {
    const gate = new GateSpy();
    keepers.push(new TurnKeeper({ fd, slot, capacity: CAPACITY, accepting }, workerId, gate as unknown as AcceptGate, requests));
    return gate;
  };

  it('two workers, one accepting: the lower id is the primary, the other a spare, until the primary leaves', async () => {
    const one = keeper(open('r+'), 3, 1, 1);
    const two = keeper(open('r+'), 0, 2, 1);
    // A loop busy loading (mocha's start) counts as saturated: worker 2 may join for the hold
    // (1 s) before it settles as a spare.
    await waitUntil('worker 2 a spare', () => (two.turns.length >= 3 && two.last === false ? true : undefined), 4000, TICK_MS);
    expect(one.last, 'worker 1').to.equal(true);
    const records = decodeBoard(fs.readFileSync(board));
    expect(records.map((r) => [r.slot, r.workerId, r.primary, r.accepting])).to.deep.equal([
      [0, 2, false, false],
      [3, 1, true, true],
    ]);
    keepers[0].leave();
    expect(decodeBoard(fs.readFileSync(board)).map((r) => r.workerId), 'a worker that leaves clears its record').to.deep.equal([2]);
    await waitUntil('worker 2 takes the turn', () => (two.last === true ? true : undefined), 2000, TICK_MS);
  });

  it('a board it cannot read: the worker accepts (a spare would otherwise never serve)', async () => {
    keeper(open('r+'), 0, 1, 1); // a live primary on the board
    const blind = keeper(open('w'), 1, 2, 1); // write-only: every pread fails with EBADF
    await waitUntil('a few ticks', () => (blind.turns.length >= 3 ? true : undefined), 2000, TICK_MS);
    expect(blind.turns.every((t) => t), 'every turn open').to.equal(true);
  });

  it('a board it cannot write: the worker accepts, even where it would be a spare', async () => {
    const primary = keeper(open('r+'), 0, 1, 1);
    await waitUntil('the primary on the board', () => (primary.turns.length >= 1 ? true : undefined), 2000, TICK_MS);
    const mute = keeper(open('r'), 1, 2, 1); // read-only: its pwrite fails with EBADF
    await waitUntil('a few ticks', () => (mute.turns.length >= 3 ? true : undefined), 2000, TICK_MS);
    expect(mute.turns.every((t) => t), 'every turn open').to.equal(true);
    expect(primary.last, 'the primary is not moved by a worker it cannot see').to.equal(true);
  });

  it('marks its record long while its loop is busy LONG_REQUEST_MS or more a request, and not for short ones', async () => {
    let started = 0;
    let perRequestMs = 4;
    // A request every 10 ms that holds the loop perRequestMs (a render), or 20 that hold it ~nothing.
    const load = setInterval(() => {
      if (perRequestMs === 0) return void (started += 20);
      const until = performance.now() + perRequestMs;
      while (performance.now() < until);
      started++;
    }, 10);
    try {
      keeper(open('r+'), 0, 1, 1, () => started);
      const own = (): boolean | undefined => decodeBoard(fs.readFileSync(board))[0]?.long;
      await waitUntil('the record marked long', () => (own() === true ? true : undefined), 3000, TICK_MS);
      perRequestMs = 0;
      await waitUntil('the mark gone with short requests', () => (own() === false ? true : undefined), 3000, TICK_MS);
      // Stays unmarked over further ticks (short requests, a calm loop).
      await new Promise((r) => setTimeout(r, 4 * TICK_MS));
      expect(own()).to.equal(false);
    } finally {
      clearInterval(load);
    }
  });
});
