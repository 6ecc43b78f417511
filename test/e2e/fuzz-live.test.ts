/**
 * A short, seeded run of the live fuzzer (test/campaigns/fuzz-live.ts runs 10^5 inputs): random
 * and mutated uwsgi packets and HTTP requests, cut, paused, half-closed and reset, against
 * 2 × 2 workers on a uwsgi unix socket, a uwsgi TCP socket and an http-socket. After every
 * batch the master and worker pids are unchanged, no app thread died, and a good request on
 * each socket kind is answered 200.
 */
import { expect } from 'chai';
import { runCampaign } from '../campaigns/live/campaign';
import { startLiveServer } from '../campaigns/live/health';
import { tempDir } from '../support/tmp';

const SEED = 20260111;
const INPUTS = 3000;

describe('live fuzz (short seeded run)', () => {
  it(`${INPUTS} hostile inputs on uwsgi unix, uwsgi TCP and http-socket: no crash, every socket still answers`, async function () {
    this.timeout(120_000);
    const dir = tempDir();
    const live = await startLiveServer(dir);
    try {
      const r = await runCampaign(live, { seed: SEED, inputs: INPUTS, seconds: 90, batch: 500, concurrency: 64, saveDir: dir });
      expect(r.violation, r.violation && `${r.violation.problems.join('\n')}\n(batch saved to ${r.violation.savedTo}; replay: npm run fuzz:live -- --replay FILE)`).to.equal(undefined);
      expect(r.inputs).to.equal(INPUTS);
      // The generators reach the server's answers, not only its parser's refusals.
      for (const answer of ['unix HTTP 200', 'tcp HTTP 200', 'http HTTP 200', 'unix HTTP 413', 'tcp HTTP 431', 'http HTTP 400', 'unix pong']) {
        expect(r.answers.get(answer) ?? 0, `${answer} in ${JSON.stringify([...r.answers])}`).to.be.above(0);
      }
    } finally {
      await live.server.stop();
    }
  });
});
