/** max-requests counts the whole worker's requests (every row of the scoreboard), and asks once. */
import { expect } from 'chai';
import { afterRequestCheck, recycleLimits } from '../../../src/worker/recycle-limits';
import type { Config } from '../../../src/shared/config';
import { testBoard } from './scoreboard/board';

describe('worker/recycle-limits', () => {
  it('max-requests-delta staggers the limit by worker id; no limit means no check', () => {
    const config = { maxRequests: 100, maxRequestsDelta: 50, reloadOnRss: 0 } as Config;
    expect(recycleLimits(config, 1)).to.deep.equal({ maxRequests: 100, rssBytes: 0 });
    expect(recycleLimits(config, 3)).to.deep.equal({ maxRequests: 200, rssBytes: 0 });
    expect(recycleLimits({ ...config, maxRequests: 0 }, 1)).to.equal(undefined);
    expect(recycleLimits({ ...config, maxRequests: 0, reloadOnRss: 64 }, 1)).to.deep.equal({ maxRequests: 0, rssBytes: 64 << 20 });
  });

  it('sums the requests of every app thread, and asks once, whichever thread crosses the limit', () => {
    const { board, rows } = testBoard(2);
    const asked: unknown[] = [];
    const checks = rows.map(() => afterRequestCheck(board, { maxRequests: 5, rssBytes: 0 }, (reason, detail) => asked.push({ reason, ...detail })));
    const serve = (t: number): void => {
      rows[t].end(rows[t].begin('GET', '/', -1, 0, 1));
      checks[t]();
    };
    [0, 1, 0, 1].forEach(serve);
    expect(asked).to.deep.equal([]);
    serve(1);
    expect(asked).to.deep.equal([{ reason: 'max-requests', requests: 5, limit: 5 }]);
    serve(1);
    serve(1);
    expect(asked, 'once per thread check').to.have.length(1);
  });

  it('reload-on-rss: asks when the process is above the limit after a request', () => {
    const { board } = testBoard(1);
    const asked: Array<Record<string, unknown>> = [];
    afterRequestCheck(board, { maxRequests: 0, rssBytes: 1 }, (reason, detail) => asked.push({ reason, ...detail }))();
    expect(asked).to.have.length(1);
    expect(asked[0]).to.include({ reason: 'reload-on-rss', limitBytes: 1 });
  });
});
