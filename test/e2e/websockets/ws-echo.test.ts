/**
 * A `ws` app (an exported http.Server with a WebSocketServer on it) behind the shipped
 * deploy/nginx/websockets.conf: upgrades reach it over proxy_pass and the http-socket, plain
 * requests over uwsgi_pass; an upgrade that reaches the uwsgi socket is answered 501.
 */
import { expect } from 'chai';
import { fixtureApp } from '../../support/server';
import { request } from '../../support/http';
import { serveBehindNginx, type BehindNginx } from '../../support/behind-nginx';
import { connect, serveWebsocketSite, untilClosed, type WebsocketSite } from '../../support/websockets';
import { readStatsDoc } from '../../support/stats';
import { tempDir } from '../../support/tmp';
import path from 'node:path';
import { waitUntil } from '../../support/wait';

describe('WebSockets: a ws app through nginx', function () {
  this.timeout(60_000);
  let site: WebsocketSite | undefined;
  let plain: BehindNginx | undefined;

  afterEach(async () => {
    await site?.stop();
    await plain?.stop();
    site = undefined;
    plain = undefined;
  });

  it('echoes text and binary messages over proxy_pass, and serves plain requests over uwsgi_pass beside them', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), processes: 1, threads: 2 });
    const c = await connect(`${site.wsUrl}/chat?room=1`);
    expect(c.hello.url).to.equal('/chat?room=1');
    c.ws.send('hello there');
    expect(await c.next()).to.equal('hello there');
    const big = 'x'.repeat(200_000);
    c.ws.send(big);
    expect(await c.next()).to.equal(big);
    const plainAnswer = await request(`${site.url}/page`);
    expect(plainAnswer.status).to.equal(200);
    expect(plainAnswer.body.toString()).to.match(/^uwsgi \d+\/\d+$/);
    c.ws.close(1000, 'bye');
    expect(await untilClosed(c)).to.deep.equal({ code: 1000, reason: 'bye' });
    // One line for the upgraded connection once it closed, with its bytes each way.
    const line = await site.server.waitForLog('the upgrade line', (l) => l.event === 'upgrade');
    expect(line).to.include({ method: 'GET', uri: '/chat?room=1' });
    expect(line.bytesIn).to.be.above(200_000);
    expect(line.bytesOut).to.be.above(200_000);
  });

  it('keeps an idle WebSocket open past socket-timeout and http-timeout', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), 'socket-timeout': 1, 'http-timeout': 1 });
    const c = await connect(`${site.wsUrl}/idle`);
    await new Promise((r) => setTimeout(r, 2500));
    c.ws.send('still here');
    expect(await c.next()).to.equal('still here');
    expect(c.closed).to.equal(undefined);
    c.ws.close();
  });

  it('shows open upgraded connections per thread in the stats, and none once they close', async () => {
    const statsPath = path.join(tempDir(), 'stats.sock');
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), processes: 1, threads: 2, 'threads-min': 2, stats: statsPath });
    const clients = await Promise.all([1, 2, 3, 4].map(() => connect(`${site!.wsUrl}/s`)));
    const perThread = new Map<number, number>();
    for (const c of clients) perThread.set(c.hello.thread, (perThread.get(c.hello.thread) ?? 0) + 1);
    const doc = await waitUntil('4 upgraded connections in the stats', async () => {
      const d = await readStatsDoc({ path: statsPath });
      return d.workers[0].cores.reduce((n, c) => n + c.upgraded, 0) === 4 ? d : undefined;
    });
    // Thread index i runs in the worker thread with threadId i + 1.
    expect(doc.workers[0].cores.map((c) => c.upgraded)).to.deep.equal([perThread.get(1) ?? 0, perThread.get(2) ?? 0]);
    // SIGUSR1's worker-state line counts them too.
    process.kill(site.server.pid, 'SIGUSR1');
    expect(await site.server.waitForLog('a worker-state line', (l) => l.event === 'worker-state')).to.include({ upgraded: 4 });
    for (const c of clients) c.ws.close();
    await waitUntil('no upgraded connection in the stats', async () => {
      const d = await readStatsDoc({ path: statsPath });
      return d.workers[0].cores.every((c) => c.upgraded === 0);
    });
  });

  it('answers 501 to an upgrade that reaches the uwsgi socket, and says where upgrades go', async () => {
    plain = await serveBehindNginx({ 'wsgi-file': fixtureApp('ws-echo.js') });
    const refused = await connect(`ws://127.0.0.1:${plain.nginx.port}/chat`).then(
      () => undefined,
      (err: Error & { status?: number }) => err,
    );
    expect(refused?.status).to.equal(501);
    const line = await plain.server.waitForLog('the refusal', (l) => l.code === 'E_UPGRADE_OVER_UWSGI');
    expect(line).to.include({ event: 'request-rejected', status: 501, uri: '/chat' });
    expect(String(line.msg)).to.include('http-socket');
    // The same app's plain requests still go over uwsgi_pass.
    expect((await request(`${plain.nginx.url}/`)).body.toString()).to.match(/^uwsgi /);
  });

  it("serves Bun's { fetch, websocket } as a fetch app, and says once at start that its websocket half is not run", async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('bun-shape.mjs'), processes: 1, threads: 2 });
    expect((await request(`${site.url}/`)).body.toString()).to.equal('fetched');
    const lines = site.server.events('app-unserved');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 40 });
    expect(String(lines[0]!.msg)).to.match(/Bun's shape .* export an http\.Server/);
  });

  it('serves an upgrade request as a plain request to an app that takes no upgrades, on both sockets', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('echo.js') });
    const headers = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };
    const viaProxy = await request(`${site.url}/`, { headers });
    expect(viaProxy.status).to.equal(200);
    expect(viaProxy.body.toString()).to.equal('hello');
    plain = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js') });
    const viaUwsgi = await request(`${plain.nginx.url}/`, { headers });
    expect(viaUwsgi.status).to.equal(200);
    expect(viaUwsgi.body.toString()).to.equal('hello');
  });
});
