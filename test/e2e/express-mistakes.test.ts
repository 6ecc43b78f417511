/**
 * An app's mistakes with its response, made through Express behind a real nginx: Express gives
 * every response its own prototype, so tsuwsgi's guards (server/response.ts) must hold on the
 * response itself. Before they did, a late `res.send()` after harakiri's 504 threw
 * ERR_HTTP_HEADERS_SENT from a timer and recycled the worker, a write after end() went
 * unreported, and harakiri's watchdog wrote a 504 after a head the app had sent.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { sleep, waitUntil } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';

describe('Express apps: the response guards hold on its responses', function () {
  this.timeout(60_000);
  let s: BehindNginx;
  let worker: string;

  before(async () => {
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('express-mistakes.js'), processes: 1, threads: 1, harakiri: 1 });
    worker = (await request(`${s.nginx.url}/pid`)).body.toString();
  });

  after(async () => {
    await s?.stop();
  });

  const pid = async (): Promise<string> => (await request(`${s.nginx.url}/pid`)).body.toString();

  for (const route of ['/late-timer', '/late-sync', '/late-end']) {
    it(`${route}: the late write is ignored with one warning line; the worker serves on`, async () => {
      const warned = s.server.events('late-write').length;
      const reply = await request(`${s.nginx.url}${route}`);
      expect({ status: reply.status, body: reply.body.toString() }).to.deep.equal({ status: 200, body: 'ok' });
      await waitUntil('a late-write warning', () => s.server.events('late-write').length > warned, 5000);
      expect(s.server.events('late-write')[warned]).to.include({ level: 40, method: 'GET', uri: route });
      await sleep(100);
      expect(s.server.events('late-write').length).to.equal(warned + 1);
      expect(await pid()).to.equal(worker);
    });
  }

  it("res.send() after harakiri's 504 is ignored: the worker serves on, nothing is thrown", async () => {
    const reply = await request(`${s.nginx.url}/send-after-harakiri?ms=1600`);
    expect(reply.status).to.equal(504);
    await waitUntil('the handler sending late', async () => (await request(`${s.nginx.url}/sent`)).body.toString() === 'true', 5000);
    expect(await pid()).to.equal(worker);
    expect(s.server.events('app-uncaught')).to.deep.equal([]);
  });

  it('served every case above on the same worker, with no error logged but harakiri\'s own', () => {
    expect(s.server.events('worker-exited')).to.deep.equal([]);
    const errors = s.server.logs().filter((l) => (l.level as number) >= 50 && l.event !== 'harakiri');
    expect(errors).to.deep.equal([]);
  });

  it('a head the app sent before it blocked is not followed by a 504 (harakiri ends the worker, which is replaced)', async () => {
    const reply = await request(`${s.nginx.url}/head-then-block?ms=4000`);
    const body = reply.body.toString();
    expect(reply.status).to.equal(200);
    expect(body.startsWith('part'), body).to.equal(true);
    expect(body).to.not.include('504');
    await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri' && l.uri === '/head-then-block?ms=4000');
    // The worker was stuck for good: it is replaced, and the replacement serves.
    await waitUntil('a new worker serving', async () => (await pid().catch(() => worker)) !== worker, 15_000);
  });
});
