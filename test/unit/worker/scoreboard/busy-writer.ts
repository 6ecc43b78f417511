/**
 * Run as a worker thread by scoreboard.test.ts: writes row 0 as fast as it can for `ms`, every
 * field of an entry derived from the request's number n (start n, fd n % 1e6, vars n % 1000,
 * label "GET /r<n>"), ending entries out of order, so that a reader can tell a torn copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BoardView } from '../../../../src/worker/scoreboard/layout';
import { RowWriter } from '../../../../src/worker/scoreboard/row-writer';

const { buffer, ms } = workerData as { buffer: SharedArrayBuffer; ms: number };
const row = new RowWriter(new BoardView(buffer), 0);
row.reset(1);
const live: number[] = [];
const until = Date.now() + ms;
let n = 0;
while (Date.now() < until) {
  for (let i = 0; i < 100; i++) {
    n++;
    const e = row.begin('GET', `/r${n}`, n % 1_000_000, n % 1000, n);
    if (e >= 0) live.push(e);
    if (live.length > 20 || e < 0) {
      const k = (n * 7919) % live.length;
      row.end(live[k]);
      live.splice(k, 1);
    }
  }
}
parentPort?.postMessage(n);
