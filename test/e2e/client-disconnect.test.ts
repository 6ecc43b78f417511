/**
 * A client that goes away while the app is still working is routine: one info line naming the
 * request, no error, no stack, and the worker keeps serving. Through nginx (uwsgi) and on an
 * http-socket, with raw sockets closed mid-request.
 */
import net from 'node:net';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type LogLine, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { sleep } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { encodePacket } from '../../src/protocol';
import path from 'node:path';

const SLOW_MS = 2000;

/** Sends a GET for `uri`, then closes the connection before the app answers. */
async function hangUpEarly(port: number, uri: string, server: ServerProcess): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write(`GET ${uri} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await server.untilInFlight(uri);
  expect(server.events('request').some((l) => l.uri === uri), 'answered before the hang-up').to.equal(false);
  socket.destroy();
}


/** Waits past the moment the app answers into the closed connection, then for a later request's line. */
async function settle(url: string, server: ServerProcess, mark: string): Promise<void> {
  await sleep(SLOW_MS);
  expect((await request(`${url}/?${mark}`)).status).to.equal(200);
  await server.waitForLog('the next request line', (l) => l.event === 'request' && l.uri === `/?${mark}`);
}

function checkOneInfoLine(server: ServerProcess, uri: string): void {
  const about = server.logs().filter((l: LogLine) => l.event !== 'worker-state' && JSON.stringify(l).includes(uri));
  expect(about, JSON.stringify(about)).to.have.length(1);
  expect(about[0]).to.include({ level: 30, event: 'client-gone', uri });
  const bad = server.logs().filter((l) => (l.level as number) >= 40 || 'err' in l || JSON.stringify(l).includes('stack'));
  expect(bad).to.deep.equal([]);
  expect(server.stderr.filter(Boolean)).to.deep.equal([]);
  expect(server.unexpectedOutput()).to.deep.equal([]);
}

describe('a client that disconnects early', function () {
  this.timeout(60_000);

  describe('through nginx (uwsgi socket)', () => {
    let s: BehindNginx | undefined;
    after(async () => {
      await s?.stop();
      s = undefined;
    });

    for (const threads of [1, 2]) {
      it(`threads = ${threads}: one info line, no error, no stack`, async () => {
        await s?.stop();
        s = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), threads });
        const uri = `/slow?ms=${SLOW_MS}&gone=nginx${threads}`;
        await hangUpEarly(Number(new URL(s.nginx.url).port), uri, s.server);
        await settle(s.nginx.url, s.server, `after-nginx${threads}`);
        checkOneInfoLine(s.server, uri);
      });
    }
  });

  describe('on the uwsgi socket, in the middle of the request body', () => {
    let s: BehindNginx | undefined;
    after(async () => {
      await s?.stop();
      s = undefined;
    });

    for (const threads of [1, 2]) {
      it(`threads = ${threads}: one info line, no error, no stack`, async () => {
        await s?.stop();
        s = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), threads });
        // What nginx does with uwsgi_request_buffering off when its client leaves mid-upload.
        const uri = `/echo?gone=body${threads}`;
        const socket = net.connect(path.join(s.dir, 'app.sock'));
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        });
        socket.on('error', () => undefined);
        socket.write(encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: uri, PATH_INFO: '/echo', QUERY_STRING: uri.split('?')[1], SERVER_PROTOCOL: 'HTTP/1.1', CONTENT_LENGTH: '100000' }));
        socket.write(Buffer.alloc(1000, 1));
        await s.server.untilInFlight(uri);
        socket.destroy();
        await settle(s.nginx.url, s.server, `after-body${threads}`);
        checkOneInfoLine(s.server, uri);
      });
    }
  });

  describe('on an http-socket', () => {
    let server: ServerProcess | undefined;
    after(async () => {
      await server?.stop();
      server = undefined;
    });

    for (const threads of [1, 2]) {
      it(`threads = ${threads}: one info line, no error, no stack`, async () => {
        await server?.stop();
        const port = await pickPort();
        server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), threads } });
        await server.ready();
        const uri = `/slow?ms=${SLOW_MS}&gone=http${threads}`;
        await hangUpEarly(port, uri, server);
        await settle(`http://127.0.0.1:${port}`, server, `after-http${threads}`);
        checkOneInfoLine(server, uri);
      });
    }
  });
});
