/**
 * The accept gate: a pause ends as soon as the connections it waits for are dealt with, lasts at
 * most 50 ms, and all pauses together take at most about a tenth of the time, whatever the peers
 * do (a peer that connects and stays silent must not be able to stop a thread accepting).
 */
import { expect } from 'chai';
import { connect, serverHarness, uwsgiGet, uwsgiHarness, type Harness } from './harness';
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

describe('server/accept-gate: the accept turn', function () {
  this.timeout(10_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('out of turn, a connection waits in the kernel unaccepted; in turn again, it is served', async () => {
    let served = 0;
    h = await uwsgiHarness((_req, res) => {
      served++;
      res.end('ok');
    });
    h.gate.setTurn(false);
    expect(h.gate.accepting).to.equal(false);
    const c = await connect(h.path);
    c.socket.write(uwsgiGet());
    await sleep(150);
    expect(served).to.equal(0);
    expect(h.ctx.connections.size).to.equal(0);
    h.gate.setTurn(true);
    await waitUntil('the waiting request served', () => c.received().toString().includes('ok'), 2000, 5);
    expect(served).to.equal(1);
  });

  it('a hold released out of turn does not reopen the listener, and the turn does not end a hold', async () => {
    h = await uwsgiHarness(() => undefined);
    const release = h.gate.hold();
    h.gate.setTurn(false);
    release();
    expect(h.gate.accepting).to.equal(false);
    h.gate.setTurn(true);
    expect(h.gate.accepting).to.equal(true);
    const again = h.gate.hold();
    h.gate.setTurn(false);
    h.gate.setTurn(true);
    expect(h.gate.accepting).to.equal(false);
    again();
    expect(h.gate.accepting).to.equal(true);
  });

  it('an http-socket listener takes turns too', async () => {
    h = await serverHarness('http', (_req, res) => res.end('ok'));
    h.gate.setTurn(false);
    const c = await connect(h.path);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(150);
    expect(c.received().length).to.equal(0);
    h.gate.setTurn(true);
    await waitUntil('the waiting request served', () => c.received().toString().includes('ok'), 2000, 5);
  });
});
