/**
 * Slow and idle clients on every socket kind (uwsgi over unix and TCP, http-socket), issue 11
 * items 5 and 6. For each behaviour one server runs the scenario once (support/slow-clients.ts)
 * and four verdicts are read from it:
 *  - good requests keep being answered 200 within a bounded wait;
 *  - the worker's RSS stays under 2 × its idle figure + 100 MB (measured in the same test);
 *  - the server lets go of the slow clients by itself: socket-timeout bounds every wait for the
 *    peer and the whole uwsgi head from accept, http-timeout the whole request on every kind
 *    (generous margins: these are deadlines, not timings);
 *  - a graceful stop (SIGTERM) among fresh slow clients ends with exit 0 within
 *    worker-reload-mercy, without the no-mercy kill: the mercy is the last resort for a stuck
 *    app, never needed for a slow client, whose own deadlines are shorter; a connection that
 *    has sent nothing, or not a whole head, is no request in flight and is not waited for.
 */
import { expect } from 'chai';
import {
  DEADLINES, KINDS, goodRequestFailures, idle, neverRead, runScenario, slowBodies, slowHeads,
  type Clients, type Addresses, type Kind, type ScenarioResult,
} from '../support/slow-clients';

const MARGIN_MS = 3000;
const GOOD_WITHIN_MS = 3000;
const uwsgiMs = DEADLINES.socketTimeoutS * 1000 + MARGIN_MS;
const httpMs = DEADLINES.httpTimeoutS * 1000 + MARGIN_MS;

interface Case {
  what: string;
  open: (kind: Kind, to: Addresses) => Promise<Clients>;
  releaseWithinMs: Record<Kind, number>;
  deadline: string;
}

const CASES: Case[] = [
  {
    what: '1 000 idle connections on each socket kind',
    open: (k, to) => idle(k, to, 1000),
    releaseWithinMs: { unix: uwsgiMs, tcp: uwsgiMs, http: httpMs },
    deadline: 'uwsgi: the head within socket-timeout of accept; http-socket: the request within http-timeout',
  },
  {
    what: 'slowloris heads (100 per kind, one byte every 200 ms)',
    open: (k, to) => slowHeads(k, to, 100, 200),
    releaseWithinMs: { unix: uwsgiMs, tcp: uwsgiMs, http: httpMs },
    deadline: 'uwsgi: the head within socket-timeout of accept; http-socket: the request within http-timeout',
  },
  {
    what: 'slowloris bodies (100 per kind, a 1000-byte Content-Length body, one byte every 200 ms)',
    open: (k, to) => slowBodies(k, to, 100, 200),
    releaseWithinMs: { unix: httpMs, tcp: httpMs, http: httpMs },
    deadline: 'the whole request within http-timeout on every kind',
  },
  {
    what: 'clients that never read an 8 MiB response (4 per kind)',
    open: (k, to) => neverRead(k, to, 4, 8 * 1024 * 1024),
    releaseWithinMs: { unix: uwsgiMs, tcp: uwsgiMs, http: uwsgiMs },
    deadline: 'socket-timeout bounds the wait for the peer to take response bytes',
  },
];

for (const c of CASES) {
  describe(`slow clients: ${c.what}`, function () {
    this.timeout(60_000);
    let r: ScenarioResult;

    before(async function () {
      this.timeout(60_000);
      r = await runScenario({ open: c.open, probeMs: 3000, releaseWithinMs: c.releaseWithinMs, goodTimeoutMs: GOOD_WITHIN_MS });
    });

    it(`good requests on every kind are answered 200 within ${GOOD_WITHIN_MS} ms meanwhile`, () => {
      for (const k of KINDS) expect(r.good.filter((g) => g.kind === k).length, `good requests made on ${k}`).to.be.above(0);
      expect(goodRequestFailures(r, GOOD_WITHIN_MS)).to.deep.equal([]);
    });

    it('the worker RSS stays under 2 × the idle figure + 100 MB', () => {
      expect(r.peakRssKb, `idle ${r.idleRssKb} kB, peak ${r.peakRssKb} kB`).to.be.below(2 * r.idleRssKb + 100 * 1024);
    });

    it(`the server lets go of them by itself (${c.deadline})`, () => {
      const late = KINDS.filter((k) => r.releasedMs[k] === null).map((k) => r.peakHeld[k] === 0
        ? `${k}: never accepted by the worker within ${c.releaseWithinMs[k]} ms (left in the listen queue)`
        : `${k}: still held after ${c.releaseWithinMs[k]} ms (peak ${r.peakHeld[k]} held)`);
      expect(late).to.deep.equal([]);
    });

    it(`a graceful stop among fresh ones ends with exit 0 within worker-reload-mercy (${DEADLINES.mercyS} s), no no-mercy kill`, () => {
      expect({ code: r.stop.code, noMercy: r.stop.noMercy }, `stop took ${r.stop.ms} ms, signal ${r.stop.signal}`).to.deep.equal({ code: 0, noMercy: false });
    });
  });
}
