/**
 * Connections the app takes over on http-socket (http-upgrade.ts), in this process
 * (harness.ts): upgrades and CONNECT reach the http.Server the app exported while it listens for
 * them, and a graceful stop refuses new upgrades, tells WebSockets to go away (1001) and closes
 * what is left at upgradeMercyMs.
 */
import { expect } from 'chai';
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serverHarness, connect, type Harness } from './harness';
import { splitResponses } from '../../support/raw-http';
import { sleep, waitUntil } from '../../support/wait';
import { serverListener } from '../../../src/app/node-server';
import { goingAway } from '../../../src/server/websocket-close';

const UPGRADE = 'GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
const SWITCHED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

/** The app's side: an exported server whose plain requests answer "plain". */
function appServer(): http.Server {
  return http.createServer((_req, res) => res.end('plain'));
}

function harnessFor(app: http.Server, upgradeMercyMs = 10_000): Promise<Harness> {
  return serverHarness('http', serverListener(app), { appServer: app, upgradeMercyMs });
}

/** An app that switches every upgrade and keeps the socket, reading it until its peer ends it. */
function switching(app: http.Server, taken: Duplex[] = []): Duplex[] {
  app.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    taken.push(socket);
    socket.write(SWITCHED);
    socket.on('end', () => socket.end());
    socket.resume();
  });
  return taken;
}

describe('server/http-upgrade', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('hands upgrades to the app\'s server only while it listens for them, even when it starts listening later', async () => {
    const app = appServer();
    h = await harnessFor(app);
    const before = await connect(h.path);
    before.socket.write(UPGRADE);
    await waitUntil('a plain answer', () => splitResponses(before.received()).responses.length === 1, 2000);
    expect(splitResponses(before.received()).responses[0]!.body.toString()).to.equal('plain');

    const heard: { url: string | undefined }[] = [];
    const onUpgrade = (req: IncomingMessage, socket: Duplex): void => {
      heard.push({ url: req.url });
      socket.end(SWITCHED);
    };
    app.on('upgrade', onUpgrade);
    const during = await connect(h.path);
    during.socket.write(UPGRADE);
    await waitUntil('the app took it', () => heard.length === 1, 2000);
    expect(heard[0]!.url).to.equal('/ws');
    await waitUntil('the 101', () => during.received().toString().startsWith('HTTP/1.1 101'), 2000);

    app.off('upgrade', onUpgrade);
    const after = await connect(h.path);
    after.socket.write(UPGRADE);
    await waitUntil('a plain answer again', () => splitResponses(after.received()).responses.length === 1, 2000);
    expect(heard).to.have.length(1);
  });

  it('counts an upgraded connection as in flight, in the thread\'s sets, until it closes', async () => {
    const app = appServer();
    const taken = switching(app);
    h = await harnessFor(app);
    const c = await connect(h.path);
    c.socket.write(UPGRADE);
    await waitUntil('taken', () => taken.length === 1 && h!.ctx.upgraded.size === 1, 2000);
    expect(h.ctx.connections.size).to.equal(1);
    c.socket.destroy();
    await waitUntil('forgotten', () => h!.ctx.upgraded.size === 0 && h!.ctx.connections.size === 0, 2000);
  });

  it('graceful stop: a WebSocket is told 1001 and stays open for its close; one that never closes is closed at upgradeMercyMs', async () => {
    const app = appServer();
    const taken = switching(app);
    h = await harnessFor(app, 1600);
    const c = await connect(h.path);
    c.socket.write(UPGRADE);
    await waitUntil('switched', () => c.received().toString().startsWith('HTTP/1.1 101') && taken.length === 1, 2000);
    const drained = h.drain();
    await waitUntil('the close frame', () => c.received().includes(goingAway()), 2000);
    expect(h.events('upgrade-going-away')).to.have.length(1);
    // Past the 1 s grace of a connection without a request, it is still open: it is in flight.
    await sleep(1200);
    expect(c.isClosed()).to.equal(false);
    await c.closed;
    await drained;
    expect(h.events('upgrade-closed')[0]).to.include({ connections: 1, limitMs: 1600 });
    // The frame is written once, whatever the number of passes.
    expect(c.received().toString('latin1').split(goingAway().toString('latin1'))).to.have.length(2);
  });

  it('graceful stop: an upgrade that is not a WebSocket gets no close frame, and is closed at upgradeMercyMs', async () => {
    const app = appServer();
    switching(app);
    h = await harnessFor(app, 300);
    const c = await connect(h.path);
    c.socket.write(UPGRADE.replace('websocket', 'tcp-tunnel'));
    await waitUntil('switched', () => c.received().toString().startsWith('HTTP/1.1 101'), 2000);
    await h.drain();
    await c.closed;
    expect(c.received().includes(goingAway())).to.equal(false);
  });

  it('graceful stop: an upgrade whose head completes after the stop began is refused with 503', async () => {
    const app = appServer();
    const taken = switching(app);
    h = await harnessFor(app);
    const c = await connect(h.path);
    c.socket.write(UPGRADE.slice(0, 20));
    await waitUntil('accepted', () => h!.ctx.connections.size === 1, 2000);
    const drained = h.drain();
    await sleep(100);
    c.socket.write(UPGRADE.slice(20));
    await c.closed;
    await drained;
    expect(c.received().toString()).to.match(/^HTTP\/1.1 503 Service Unavailable\r\n/);
    expect(taken).to.have.length(0);
    expect(h.events('upgrade-refused')).to.have.length(1);
  });

  it('CONNECT goes to the app\'s server when it listens for it; refused with 400 otherwise', async () => {
    const app = appServer();
    const tunnels: string[] = [];
    app.on('connect', (req: IncomingMessage, socket: Duplex) => {
      tunnels.push(req.url ?? '');
      socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
    });
    h = await harnessFor(app);
    const c = await connect(h.path);
    c.socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    await c.closed;
    expect(tunnels).to.deep.equal(['example.com:443']);
    expect(c.received().toString()).to.match(/^HTTP\/1.1 200 Connection Established/);
    app.removeAllListeners('connect');
    const d = await connect(h.path);
    d.socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    await d.closed;
    expect(d.received().toString()).to.match(/^HTTP\/1.1 400 /);
  });

  it('an app that throws in its upgrade listener: one app-error line, the connection closed, the thread serving on', async () => {
    const app = appServer();
    app.on('upgrade', () => {
      throw new Error('boom');
    });
    h = await harnessFor(app);
    const c = await connect(h.path);
    c.socket.write(UPGRADE);
    await c.closed;
    expect(h.events('app-error')).to.have.length(1);
    const d = await connect(h.path);
    d.socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await waitUntil('a plain answer', () => splitResponses(d.received()).responses.length === 1, 2000);
  });
});
