/**
 * socket.io with Express (express 5.3, socket.io 4.8), as the socket.io docs set it up: one
 * http.Server the module exports instead of listening on it, behind the shipped
 * deploy/nginx/websockets.conf. Express's routes come over uwsgi_pass, socket.io over the
 * http-socket's upgrade; what tsuwsgi needed for it is the exported http.Server and upgrades on
 * http-socket (README: WebSockets).
 */
import { expect } from 'chai';
import { io as ioClient } from 'socket.io-client';
import { fixtureApp } from '../../support/server';
import { serveWebsocketSite, type WebsocketSite } from '../../support/websockets';
import { request } from '../../support/http';

describe('frameworks: socket.io with Express behind nginx', function () {
  this.timeout(60_000);
  let site: WebsocketSite | undefined;

  afterEach(async () => {
    await site?.stop();
    site = undefined;
  });

  it('Express serves the API over uwsgi_pass; socket.io connects over a WebSocket, its middleware runs, acks come back', async () => {
    site = await serveWebsocketSite({ 'wsgi-file': fixtureApp('socketio-express.js'), processes: 2, threads: 2 });
    const hello = await request(`${site.url}/api/hello`);
    expect(hello.status).to.equal(200);
    expect(JSON.parse(hello.body.toString())).to.include({ hello: 'express' });
    const echo = await request(`${site.url}/api/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(JSON.parse(echo.body.toString())).to.deep.equal({ echoed: { a: 1 } });

    const socket = ioClient(site.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
    try {
      const welcome = await new Promise<{ middleware: boolean; pid: number }>((resolve, reject) => {
        socket.once('welcome', resolve);
        socket.once('connect_error', reject);
      });
      expect(welcome.middleware, 'the engine middleware saw the handshake').to.equal(true);
      expect(site.server.workerPids()).to.include(welcome.pid);
      expect(await socket.timeout(10_000).emitWithAck('echo', 'hi')).to.equal('echo: hi');
    } finally {
      socket.disconnect();
    }
    expect(site.server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
  });
});
