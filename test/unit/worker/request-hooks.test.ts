/**
 * The one hook per request, over real sockets (the uwsgi connection of test/unit/server's
 * harness): what it leaves on the scoreboard with nothing on, with stats, with harakiri, and
 * the recycling check after each request.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { encodePacket } from '../../../src/protocol';
import { ThreadRequests, type HookOptions } from '../../../src/worker/request-hooks';
import { uwsgiHarness, connect, type Harness, type Listener } from '../server/harness';
import { waitUntil } from '../../support/wait';
import { testBoard, type TestBoard } from './scoreboard/board';

const get = (uri: string): Buffer => encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, SERVER_PROTOCOL: 'HTTP/1.1', HTTP_X_A: '1' });

describe('worker/request-hooks: ThreadRequests', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function serve(listener: Listener, options: Partial<HookOptions> = {}): Promise<TestBoard & { hooks: ThreadRequests }> {
    const tb = testBoard(1);
    tb.rows[0].reset();
    const hooks = new ThreadRequests(tb.rows[0], { stats: false, harakiri: false, busy: false, afterEnd: undefined, ...options });
    h = await uwsgiHarness(listener, { requests: hooks, stats: options.stats === true ? tb.rows[0] : undefined });
    return { ...tb, hooks };
  }

  /** Sends one request; resolves with the reply once the server closed. */
  async function send(uri: string, leaveAfterMs?: number): Promise<string> {
    const client = await connect((h as Harness).path);
    client.socket.write(get(uri));
    if (leaveAfterMs !== undefined) setTimeout(() => client.socket.destroy(), leaveAfterMs);
    await client.closed;
    return client.received().toString('latin1');
  }

  it('cheaper: overlapping requests make one busy period; the time counts while it runs and after', async () => {
    const releases: (() => void)[] = [];
    const { board } = await serve((_req, res) => void releases.push(() => res.end('done')), { busy: true });
    expect(board.busy()).to.deep.equal({ micros: 0, now: false });
    const replies = [send('/a'), send('/b')];
    await waitUntil('the app has both', () => releases.length === 2);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 60));
    const during = board.busy();
    expect(during.now).to.equal(true);
    expect(during.micros).to.be.at.least(50_000);
    releases[0]();
    await replies[0];
    expect(board.busy().now, 'one still in flight').to.equal(true);
    await new Promise((r) => setTimeout(r, 40));
    releases[1]();
    await replies[1];
    await waitUntil('idle', () => !board.busy().now);
    const after = board.busy(Date.now() + 10_000);
    // One period (not two summed): at most the wall time since both were in flight, plus the start.
    expect(after.micros).to.be.at.least(95_000).and.at.most((Date.now() - t0 + 100) * 1000);
    expect(board.busy(Date.now() + 10_000).micros, 'an ended period stops counting').to.equal(after.micros);
  });

  it('cheaper off: no busy time is noted', async () => {
    const { board } = await serve((_req, res) => void setTimeout(() => res.end('x'), 30));
    await send('/a');
    expect(board.busy()).to.deep.equal({ micros: 0, now: false });
  });

  it('nothing on: the request is counted and in the table while the app has it, and gone after', async () => {
    let release: (() => void) | undefined;
    const { board, hooks } = await serve((_req, res) => {
      release = () => res.end('done');
    });
    const reply = send('/wait?x=1');
    await waitUntil('the app has the request', () => release !== undefined);
    const during = board.oldest(0);
    expect(during).to.deep.include({ method: 'GET', uri: '/wait?x=1', fd: -1, headSent: false, vars: 0 });
    expect(Date.now() - (during?.startMs ?? 0)).to.be.within(0, 5000);
    expect(hooks.count()).to.equal(1);
    expect(hooks.timed, 'no stats: nothing needs the response time').to.equal(false);
    (release as () => void)();
    expect(await reply).to.match(/\r\n\r\ndone$/);
    await waitUntil('the entry freed', () => board.inFlight(0).length === 0);
    expect(board.figures(0, false)).to.deep.include({ requests: 0, txBytes: 0, inFlight: 0 });
    expect(board.started(0)).to.equal(1);
  });

  it('stats: a finished response counts its class, bytes, time and vars; one cut short is a write error', async () => {
    const { board, hooks } = await serve(
      (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/slow') setTimeout(() => res.end('late'), 300);
        else res.end('hello');
      },
      { stats: true },
    );
    expect(hooks.timed).to.equal(true);
    expect(await send('/')).to.match(/hello$/);
    await waitUntil('counted', () => board.figures(0, false).requests === 1);
    const f = board.figures(0, false);
    expect(f.statusClasses).to.deep.equal([0, 1, 0, 0, 0]);
    expect(f.txBytes).to.be.above('hello'.length);
    expect(f.latencyBuckets.reduce((n, b) => n + b, 0)).to.equal(1);
    const gone = send('/slow', 50);
    await waitUntil('in flight', () => board.figures(0, false).inFlight === 1);
    expect(board.figures(0, false).current).to.deep.include({ method: 'GET', uri: '/slow', vars: 4 });
    await gone;
    await waitUntil('a write error', () => board.figures(0, false).writeErrors === 1);
    expect(board.figures(0, false)).to.deep.include({ requests: 1, inFlight: 0 });
  });

  it('harakiri: the entry holds the connection fd and learns when the head goes out', async () => {
    let finish: (() => void) | undefined;
    const { board } = await serve(
      (_req, res) => {
        setTimeout(() => {
          res.writeHead(200, { 'content-length': '2' });
          finish = () => res.end('ok');
        }, 200);
      },
      { harakiri: true },
    );
    const reply = send('/head');
    await waitUntil('in flight', () => board.inFlight(0).length === 1);
    const before = board.oldest(0);
    expect(before?.fd).to.be.a('number').and.to.be.at.least(0);
    expect(before?.headSent).to.equal(false);
    await waitUntil('the head written', () => finish !== undefined);
    expect(board.oldest(0)?.headSent).to.equal(true);
    (finish as () => void)();
    expect(await reply).to.match(/\r\n\r\nok$/);
    await waitUntil('the entry freed', () => board.inFlight(0).length === 0);
  });

  it('calls the recycling check after each request, and ends a request once however often it closes', async () => {
    let checks = 0;
    const { board, hooks } = await serve((_req, res) => res.end('x'), { afterEnd: () => checks++, stats: true });
    await send('/1');
    await send('/2');
    await waitUntil('both checked', () => checks === 2);
    expect(board.started(0)).to.equal(2);
    const res = { writableFinished: true, statusCode: 200, req: { socket: { bytesWritten: 0 } } } as unknown as ServerResponse;
    hooks.start({ method: 'GET', url: '/x', socket: { bytesWritten: 0 }, rawHeaders: [] } as unknown as IncomingMessage, res, performance.now());
    hooks.end(res, 5);
    hooks.end(res, 5);
    expect(checks).to.equal(3);
    expect(board.figures(0, false).requests).to.equal(3);
  });

  it('harakiri: requests the full table cannot hold are still handed to the sweep, oldest first', () => {
    const tb = testBoard(1);
    tb.rows[0].reset();
    const hooks = new ThreadRequests(tb.rows[0], { stats: false, harakiri: true, busy: false, afterEnd: undefined });
    const made = Array.from({ length: 34 }, (_, i) => {
      const res = { i } as unknown as ServerResponse;
      hooks.start({ method: 'GET', url: `/${i}`, socket: {}, rawHeaders: [] } as unknown as IncomingMessage, res, performance.now());
      return res;
    });
    const all = hooks.inFlight();
    expect(all.map((r) => (r.res as unknown as { i: number }).i).sort((a, b) => a - b)).to.deep.equal(made.map((_, i) => i));
    expect(all.filter((r) => r.entry === -1)).to.have.length(2);
    hooks.end(made[33], 0);
    hooks.end(made[0], 0);
    expect(hooks.inFlight()).to.have.length(32);
    expect(tb.board.figures(0, false).inFlight).to.equal(32);
  });
});
