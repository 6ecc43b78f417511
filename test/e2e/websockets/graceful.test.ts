/**
 * Upgraded connections at a graceful stop, through nginx (deploy/nginx/websockets.conf): they
 * count as in flight, each WebSocket is told to close with 1001 (going away), and what is still
 * open near worker-reload-mercy is closed by the worker itself.
 */
import { expect } from 'chai';
import net from 'node:net';
import { fixtureApp } from '../../support/server';
import { connect, serveWebsocketSite, untilClosed, type Client, type WebsocketSite } from '../../support/websockets';
import { waitUntil } from '../../support/wait';

describe('WebSockets at a graceful stop', function () {
  this.timeout(120_000);
  let site: WebsocketSite | undefined;

  afterEach(async () => {
    await site?.stop();
    site = undefined;
  });

  it('reload: each of 100 open sockets sees a clean 1001 close and reconnects to the new generation', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), processes: 2, threads: 2, 'worker-reload-mercy': 30, env: 'WS_LOG_CLOSE=1' });
    const url = `${site.wsUrl}/live`;
    const first: Client[] = [];
    for (let i = 0; i < 100; i += 10) first.push(...(await Promise.all(Array.from({ length: 10 }, () => connect(url)))));
    const oldPids = new Set(first.map((c) => c.hello.pid));
    // Each client does what a client library does on a close: connect again.
    const second = first.map(async (c) => {
      const seen = await untilClosed(c, 60_000);
      return { seen, again: await connect(url) };
    });
    process.kill(site.server.pid, 'SIGHUP');
    const results = await Promise.all(second);
    for (const { seen } of results) expect(seen).to.deep.equal({ code: 1001, reason: 'server going away' });
    for (const { again } of results) expect(oldPids.has(again.hello.pid), `reconnected to old worker ${again.hello.pid}`).to.equal(false);
    // The new generation echoes.
    const probe = results[0].again;
    probe.ws.send('new generation');
    expect(await probe.next()).to.equal('new generation');
    await site.server.waitForLog('the reload finishing', (l) => l.event === 'reload-finished', 30_000);
    // The app heard each close as a client-initiated 1001, and no worker needed the mercy kill.
    expect(site.server.events('app-ws-close').filter((l) => l.code === 1001)).to.have.length(100);
    expect(site.server.events('no-mercy')).to.deep.equal([]);
    expect(site.server.events('upgrade-closed')).to.deep.equal([]);
    for (const { again } of results) again.ws.close();
  });

  it('SIGTERM with open sockets: every socket gets 1001, the master exits 0 without a mercy kill', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), processes: 1, threads: 2, 'worker-reload-mercy': 30 });
    const clients = await Promise.all(Array.from({ length: 10 }, () => connect(`${site!.wsUrl}/bye`)));
    const exit = await site.server.stop('SIGTERM', 60_000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    for (const c of clients) expect(await untilClosed(c)).to.deep.equal({ code: 1001, reason: 'server going away' });
    expect(site.server.events('no-mercy')).to.deep.equal([]);
    expect(site.server.events('upgrade-going-away').reduce((n, l) => n + Number(l.connections), 0)).to.equal(10);
  });

  it('SIGTERM with a socket whose client never answers the close: closed by the worker before the mercy kill, exit 0', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('ws-echo.js'), 'worker-reload-mercy': 2 });
    const deaf = await rawHandshake(site.httpSocket);
    const exit = await site.server.stop('SIGTERM', 30_000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    // It got the 1001 close frame, and then the connection closed under it.
    await waitUntil('the raw client closed', () => deaf.ended);
    const frames = deaf.received.subarray(deaf.received.indexOf('\r\n\r\n') + 4);
    expect(frames.includes(Buffer.from([0x88, 2 + 17, 0x03, 0xe9]))).to.equal(true);
    expect(site.server.events('upgrade-closed')).to.have.length(1);
    expect(site.server.events('no-mercy')).to.deep.equal([]);
  });
});

/** A WebSocket handshake over a raw socket that then reads and never writes again. */
function rawHandshake(socketPath: string): Promise<{ received: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const state = { received: Buffer.alloc(0), ended: false };
    const s = net.connect(socketPath);
    s.on('error', reject);
    s.on('close', () => (state.ended = true));
    s.on('data', (d: Buffer) => {
      state.received = Buffer.concat([state.received, d]);
      if (state.received.includes('\r\n\r\n')) resolve(state);
    });
    s.write(
      'GET /deaf HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}
