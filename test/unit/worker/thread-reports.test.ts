/** SIGUSR1's thread states, read from the scoreboard: a thread answers when its heartbeat moves. */
import { expect } from 'chai';
import { threadReports } from '../../../src/worker/thread-reports';
import { testBoard } from './scoreboard/board';

describe('worker/thread-reports', function () {
  this.timeout(10_000);

  it('names the oldest request of each running thread, and a thread whose heartbeat stopped as not answering', async () => {
    const { board, rows } = testBoard(4);
    const now = Date.now();
    rows[0].reset(now);
    rows[0].beat(now, 3, 2);
    rows[0].begin('GET', '/new', -1, 0, now - 50);
    rows[0].begin('POST', '/old?q=1', -1, 0, now - 400);
    rows[0].end(rows[0].begin('GET', '/done', -1, 0, now));
    rows[1].reset(now - 2000); // blocked for 2 s: its beat will not move
    rows[1].begin('GET', '/block', -1, 0, now - 2100);
    rows[3].reset(now - 1000); // blocked, but its loop turns again within the wait
    const revive = setTimeout(() => rows[3].beat(Date.now(), 1), 100);
    const asked = Date.now();
    const reports = await threadReports(board);
    clearTimeout(revive);
    expect(Date.now() - asked, 'waits no longer than an app thread had to answer').to.be.below(1000);
    expect(reports.map((r) => [r.thread, r.answered])).to.deep.equal([[0, true], [1, false], [2, false], [3, true]]);
    expect(reports[0]).to.deep.include({ requests: 3, connections: 3, upgraded: 2 });
    expect(reports[0].current?.request).to.equal('POST /old?q=1');
    expect(reports[0].current?.ms).to.be.within(400, 1400);
    expect(reports[1].current?.request, 'a blocked thread is still described').to.equal('GET /block');
    expect(reports[2], 'no thread on the row').to.deep.equal({ thread: 2, answered: false, running: false, requests: 0 });
    expect(reports.map((r) => r.running)).to.deep.equal([true, true, false, true]);
    expect(reports[3]).to.deep.include({ connections: 1 });
    expect(reports[3].current).to.equal(undefined);
  });

  it('answers at once when every thread beats', async () => {
    const { board, rows } = testBoard(2);
    rows.forEach((r) => r.reset());
    const asked = Date.now();
    const reports = await threadReports(board);
    expect(Date.now() - asked).to.be.below(100);
    expect(reports.every((r) => r.answered)).to.equal(true);
  });
});
