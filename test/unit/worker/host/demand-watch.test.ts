/**
 * demand-watch.ts over a real scoreboard, with threads-min > 1's shape (every app thread in a
 * worker_thread, read from the board): a blocked thread with a request in flight gets a sibling,
 * but not while the sibling's row is already starting (waiting for its socket dups from the
 * master, before any Worker exists), which would start the same row twice.
 */
import { expect } from 'chai';
import type { Worker } from 'node:worker_threads';
import type { Config } from '../../../../src/shared/config';
import type { HostOptions } from '../../../../src/worker/host/app-host';
import type { AppThread } from '../../../../src/worker/host/app-threads';
import { watchDemand } from '../../../../src/worker/host/demand-watch';
import { sleep } from '../../../support/wait';
import { testBoard } from '../scoreboard/board';

const row = (o: Partial<AppThread>): AppThread => ({
  worker: undefined, ready: false, starting: false, everReady: false, retiring: false, forkFds: false, startedAt: 0, quickDeaths: 0, notBefore: 0, ...o,
});

/** Row 0 running and blocked for a second with a request in flight; row 1 as given. */
async function startsAfterABlock(second: Partial<AppThread>): Promise<Array<[number, string]>> {
  const tb = testBoard(2);
  const now = Date.now();
  tb.rows[0].reset(now - 2000);
  tb.rows[0].beat(now - 1000, 1);
  tb.rows[0].begin('GET', '/block', -1, 0, now - 1500);
  const threads = [row({ worker: {} as Worker, ready: true, everReady: true }), row(second)];
  const o = { config: { threads: 2, threadsMin: 1, threadsIdle: 15 } as Config, board: tb.board } as HostOptions;
  const started: Array<[number, string]> = [];
  const watch = watchDemand(threads, o, undefined, { start: (i, reason) => started.push([i, reason]), retire: () => undefined });
  watch.begin();
  await sleep(700);
  watch.end();
  return started;
}

describe('worker/host/demand-watch', () => {
  it('starts the free row when the running thread is blocked with a request in flight', async () => {
    // The fake start changes nothing, so every check (each 250 ms) starts it again.
    expect((await startsAfterABlock({}))[0]).to.deep.equal([1, 'blocked']);
  });

  it('does not start a row again while its start waits for its socket dups (no Worker yet), over two checks', async () => {
    expect(await startsAfterABlock({ starting: true })).to.deep.equal([]);
  });
});
