/**
 * One app thread's listeners: every socket kind served side by side, each fd by the module of
 * its kind, and one graceful stop for all of them that ends when the last request has.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serverHarness, connect, uwsgiGet, type Harness } from './harness';
import { splitResponses } from '../../support/raw-http';
import { sleep, waitUntil } from '../../support/wait';

describe('server/listeners', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('serves a uwsgi and an http socket in one thread, each in its own protocol', async () => {
    h = await serverHarness(['uwsgi', 'http'], (req: IncomingMessage, res: ServerResponse) => res.end(`${req.method} ${req.url}`));
    const [uwsgiPath, httpPath] = h.paths;
    const u = await connect(uwsgiPath!);
    u.socket.write(uwsgiGet('/via-uwsgi'));
    await u.closed;
    const t = await connect(httpPath!);
    t.socket.write('GET /via-http HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await t.closed;
    expect(splitResponses(u.received(), true).responses[0]!.body.toString()).to.equal('GET /via-uwsgi');
    expect(splitResponses(t.received(), true).responses[0]!.body.toString()).to.equal('GET /via-http');
  });

  it('a graceful stop resolves once the last request of any kind is answered', async () => {
    const answers: (() => void)[] = [];
    h = await serverHarness(['uwsgi', 'http'], (_req: IncomingMessage, res: ServerResponse) => {
      answers.push(() => res.end('done'));
    });
    const [uwsgiPath, httpPath] = h.paths;
    const u = await connect(uwsgiPath!);
    u.socket.write(uwsgiGet());
    const t = await connect(httpPath!);
    t.socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await waitUntil('both requests in the app', () => answers.length === 2, 2000);
    let drained = false;
    const drain = h.drain().then(() => {
      drained = true;
    });
    await sleep(100);
    answers[0]!();
    await u.closed;
    await sleep(100);
    expect(drained).to.equal(false);
    answers[1]!();
    await drain;
    expect(h.ctx.connections.size).to.equal(0);
    expect(splitResponses(t.received(), true).responses[0]!.body.toString()).to.equal('done');
  });
});
