/**
 * The accept gate: a pause ends as soon as the connections it waits for are dealt with, lasts at
 * most 50 ms, and all pauses together take at most about a tenth of the time, whatever the peers
 * do (a peer that connects and stays silent must not be able to stop a thread accepting).
 */
import { expect } from 'chai';
import { uwsgiHarness, type Harness } from './harness';
import { sleep, waitUntil } from '../../support/wait';

describe('server/accept-gate', function () {
  this.timeout(10_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('pauses while held, and accepts again the moment the only hold is released', async () => {
    h = await uwsgiHarness(() => undefined);
    const release = h.gate.hold();
    expect(h.gate.accepting).to.equal(false);
    release();
    expect(h.gate.accepting).to.equal(true);
    release();
    expect(h.gate.accepting).to.equal(true);
  });

  it('with two holds, accepts again only when both are released', async () => {
    h = await uwsgiHarness(() => undefined);
    const a = h.gate.hold();
    const b = h.gate.hold();
    a();
    a();
    expect(h.gate.accepting).to.equal(false);
    b();
    expect(h.gate.accepting).to.equal(true);
  });

  it('a hold nobody releases ends by itself within its bound', async () => {
    h = await uwsgiHarness(() => undefined);
    h.gate.hold();
    expect(h.gate.accepting).to.equal(false);
    await waitUntil('the pause to end by itself', () => h!.gate.accepting, 1000, 5);
  });

  it('a release from an expired pause does not end a later one', async () => {
    h = await uwsgiHarness(() => undefined);
    const stale = h.gate.hold();
    await waitUntil('the first pause to expire', () => h!.gate.accepting, 1000, 5);
    h.gate.hold();
    stale();
    expect(h.gate.accepting).to.equal(false);
  });

  it('holds never released, taken as fast as possible: paused at most a small share of the time', async () => {
    h = await uwsgiHarness(() => undefined);
    let paused = 0;
    let samples = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      h.gate.hold();
      samples++;
      if (!h.gate.accepting) paused++;
      await sleep(2);
    }
    // Budget: 10% of the time plus a 100 ms burst, i.e. ~15% of 2 s; the bound leaves room.
    expect(paused / samples).to.be.below(0.25);
  });
});
