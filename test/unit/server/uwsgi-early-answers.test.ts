/**
 * What the uwsgi socket answers and logs for a request it refuses before the app runs: the pure
 * policy, fed the protocol's real errors, then each refusal on a live connection (harness.ts):
 * the answer, the one log line, the app never called, what the peer still sends dropped.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { uwsgiHarness, connect, uwsgiGet, uwsgiPost, type Harness } from './harness';
import { waitUntil } from '../../support/wait';
import { bodyLength, encodePacket, parsePacket, requestHead, UwsgiFramer, type ProtocolError, type BodyLengthError } from '../../../src/protocol';
import { headRefusal, lengthRefusal, packetRefusal } from '../../../src/server/uwsgi-early-answers';

function parseError(bytes: Buffer, bufferSize = 65535): ProtocolError {
  const r = parsePacket(bytes, { bufferSize });
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
  return r;
}

describe('server/uwsgi-early-answers', () => {
  it('a head over buffer-size: 431 and a request-rejected line, not a read error', () => {
    const r = packetRefusal(parseError(encodePacket({ REQUEST_METHOD: 'GET', HTTP_X: 'x'.repeat(200) }), 100));
    expect(r.status).to.equal(431);
    expect(r.fields).to.deep.equal({ event: 'request-rejected', code: 'E_PROTO_TOO_BIG', status: 431 });
    expect(r.message).to.match(/buffer-size 100/);
    expect(r.readError).to.equal(false);
  });

  const notUwsgi: [string, Buffer, string][] = [
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'E_PROTO_HTTP_ON_UWSGI'],
    ['a TLS handshake', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5]), 'E_PROTO_HTTP_ON_UWSGI'],
    ['an unknown modifier1', Buffer.from([7, 0, 0, 0]), 'E_PROTO_MODIFIER'],
    ['a broken vars block', Buffer.from([0, 1, 0, 0, 9]), 'E_PROTO_VARS'],
  ];
  for (const [name, bytes, code] of notUwsgi) {
    it(`${name}: no answer, a bad-request line ${code}, a read error`, () => {
      const r = packetRefusal(parseError(bytes));
      expect(r.status).to.equal(undefined);
      expect(r.fields).to.deep.equal({ event: 'bad-request', code });
      expect(r.readError).to.equal(true);
    });
  }

  it('a head cut short by the peer (the framer\'s end): no answer, bad-request E_PROTO_TRUNCATED, a read error', () => {
    const framer = new UwsgiFramer({ bufferSize: 65535 });
    framer.push(encodePacket({ REQUEST_METHOD: 'GET' }).subarray(0, 6));
    const err = framer.end();
    expect(err).to.not.equal(null);
    const r = packetRefusal(err!);
    expect(r).to.deep.include({ status: undefined, readError: true });
    expect(r.fields).to.deep.equal({ event: 'bad-request', code: 'E_PROTO_TRUNCATED' });
  });

  for (const [length, limit, status, code] of [['100', 10, 413, 'E_PROTO_BODY_TOO_BIG'], ['ten', 0, 400, 'E_PROTO_BAD_LENGTH']] as const) {
    it(`CONTENT_LENGTH ${length} (limit-post ${limit}): ${status}, request-rejected with the method and URI`, () => {
      const vars = { REQUEST_METHOD: 'POST', REQUEST_URI: '/up', CONTENT_LENGTH: length };
      const err = bodyLength(vars, limit) as BodyLengthError;
      const r = lengthRefusal(err, vars);
      expect(r.status).to.equal(status);
      expect(r.fields).to.deep.equal({ event: 'request-rejected', code, status, method: 'POST', uri: '/up' });
      expect(r.readError).to.equal(false);
    });
  }

  it('vars no HTTP request carries: 400 and a bad-request line with the status, a read error', () => {
    const err = requestHead({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', HTTP_X: 'a\r\nb' }, 0) as ProtocolError;
    const r = headRefusal(err);
    expect(r.status).to.equal(400);
    expect(r.fields).to.deep.equal({ event: 'bad-request', code: 'E_PROTO_BAD_VAR', status: 400 });
    expect(r.message).to.equal(err.message);
    expect(r.readError).to.equal(true);
  });

  describe('on a live connection', function () {
    this.timeout(20_000);
    let h: Harness | undefined;
    let called = 0;
    const app = (_req: IncomingMessage, res: ServerResponse): void => {
      called++;
      res.end('app');
    };
    beforeEach(() => {
      called = 0;
    });
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    describe('vars are checked before the app runs', () => {
      const cases: [string, Buffer][] = [
        ['no REQUEST_METHOD (an empty vars block)', encodePacket({})],
        ['no REQUEST_METHOD', encodePacket({ REQUEST_URI: '/' })],
        ['a method that is not a token', uwsgiGet('/', { REQUEST_METHOD: 'GE T' })],
        ['CR LF in a header value', uwsgiGet('/', { HTTP_X_EVIL: 'a\r\nSet-Cookie: x=1' })],
        ['NUL in a header value', uwsgiGet('/', { HTTP_X_EVIL: 'a\0b' })],
        ['a space in a header name', uwsgiGet('/', { 'HTTP_X EVIL': 'a' })],
        ['a colon in a header name', uwsgiGet('/', { 'HTTP_X:EVIL': 'a' })],
        ['an empty header name', uwsgiGet('/', { HTTP_: 'a' })],
        ['a newline in REQUEST_URI', uwsgiGet('/a\nb')],
        ['a space in REQUEST_URI', uwsgiGet('/a b')],
        ['CR LF in CONTENT_TYPE', uwsgiGet('/', { CONTENT_TYPE: 'text/plain\r\nX: y' })],
      ];
      for (const [name, packet] of cases) {
        it(`${name}: 400, one log line, the app never called`, async () => {
          let called = 0;
          h = await uwsgiHarness((_req, res) => {
            called++;
            res.end('app');
          });
          const client = await connect(h.path);
          client.socket.write(packet);
          await client.closed;
          expect(client.received().toString()).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
          expect(called).to.equal(0);
          const lines = h.events('bad-request');
          expect(lines).to.have.length(1);
          expect(lines[0]!.code).to.be.oneOf(['E_PROTO_NO_METHOD', 'E_PROTO_BAD_VAR']);
        });
      }

      it('what nginx sends passes: empty CONTENT_LENGTH/CONTENT_TYPE, tabs and latin1 bytes in values', async () => {
        let headers: IncomingMessage['headers'] = {};
        h = await uwsgiHarness((req, res) => {
          headers = req.headers;
          res.end('ok');
        });
        const client = await connect(h.path);
        client.socket.write(uwsgiGet('/caf%C3%A9?q=1', { CONTENT_LENGTH: '', CONTENT_TYPE: '', HTTP_X_TAB: 'a\tb', HTTP_X_LATIN1: 'caf\xe9' }));
        await client.closed;
        expect(client.received().toString()).to.match(/ok$/);
        expect(headers).to.include({ 'x-tab': 'a\tb', 'x-latin1': 'caf\xe9' });
      });
    });

    it('a head over buffer-size: 431, then what the peer sends is dropped until it closes', async () => {
      h = await uwsgiHarness(app, { bufferSize: 100 });
      const client = await connect(h.path, { allowHalfOpen: true });
      client.socket.write(uwsgiGet('/', { HTTP_X: 'z'.repeat(200) }));
      await waitUntil('the answer', () => client.received().length > 0, 3000);
      // Still read (not reset): more bytes are taken without an error, and our EOF ends it.
      client.socket.write(Buffer.alloc(64 * 1024, 1));
      client.socket.end();
      await client.closed;
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*\r\n\r\n431 Request Header Fields Too Large\n$/);
      expect(h.events('request-rejected')).to.have.length(1);
      expect(h.events('request-rejected')[0]).to.include({ level: 40, code: 'E_PROTO_TOO_BIG', status: 431 });
      expect(called).to.equal(0);
      expect(h.events('client-gone')).to.deep.equal([]);
    });

    it('a body over limit-post: 413 with the method and URI logged, the announced body read and dropped', async () => {
      h = await uwsgiHarness(app, { limitPost: 5 });
      const client = await connect(h.path);
      client.socket.write(uwsgiPost('0123456789', '/upload'));
      await client.closed;
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 413 Content Too Large\r\n/);
      expect(h.events('request-rejected')).to.have.length(1);
      expect(h.events('request-rejected')[0]).to.include({ code: 'E_PROTO_BODY_TOO_BIG', status: 413, method: 'POST', uri: '/upload' });
      expect(called).to.equal(0);
    });

    it('a CONTENT_LENGTH that is not a number: 400, request-rejected E_PROTO_BAD_LENGTH', async () => {
      h = await uwsgiHarness(app);
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/', { CONTENT_LENGTH: '5, 5' }));
      client.socket.end();
      await client.closed;
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(h.events('request-rejected')[0]).to.include({ code: 'E_PROTO_BAD_LENGTH', status: 400 });
      expect(called).to.equal(0);
    });

    it('HTTP spoken to the uwsgi socket: closed without an answer, one bad-request line', async () => {
      h = await uwsgiHarness(app);
      const client = await connect(h.path);
      client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await client.closed;
      expect(client.received().length).to.equal(0);
      expect(h.events('bad-request')).to.have.length(1);
      expect(h.events('bad-request')[0]).to.include({ level: 40, code: 'E_PROTO_HTTP_ON_UWSGI' });
      expect(called).to.equal(0);
    });

    it('a head cut short by the peer: one bad-request line E_PROTO_TRUNCATED, nothing answered', async () => {
      h = await uwsgiHarness(app);
      const client = await connect(h.path);
      const packet = uwsgiGet('/', { HTTP_X: 'y'.repeat(100) });
      client.socket.end(packet.subarray(0, 50));
      await client.closed;
      await waitUntil('the server side closed', () => h!.ctx.connections.size === 0, 2000);
      expect(client.received().length).to.equal(0);
      expect(h.events('bad-request')).to.have.length(1);
      expect(h.events('bad-request')[0]).to.include({ code: 'E_PROTO_TRUNCATED' });
      expect(h.events('bad-request')[0]!.msg).to.match(/after 50 of the \d+ bytes/);
      expect(called).to.equal(0);
    });

    it('an upgrade to an app whose server takes upgrades: 501 naming where upgrades go, the app never called', async () => {
      const appServer = new EventEmitter();
      appServer.on('upgrade', () => undefined);
      h = await uwsgiHarness(app, { appServer });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/chat', { HTTP_UPGRADE: 'websocket', HTTP_CONNECTION: 'Upgrade' }));
      await waitUntil('the answer', () => client.received().includes('\r\n\r\n'), 2000);
      expect(client.received().toString()).to.match(/^HTTP\/1.1 501 Not Implemented\r\n/);
      expect(h.events('request-rejected')[0]).to.include({ level: 40, code: 'E_UPGRADE_OVER_UWSGI', status: 501, uri: '/chat' });
      expect(h.events('request-rejected')[0]!.msg).to.match(/http-socket.*deploy\/nginx\/websockets\.conf/);
      expect(called).to.equal(0);
    });

    it('an upgrade to an app that takes none (or no longer does): served as a plain request', async () => {
      const appServer = new EventEmitter();
      h = await uwsgiHarness(app, { appServer });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/chat', { HTTP_UPGRADE: 'websocket', HTTP_CONNECTION: 'Upgrade' }));
      await waitUntil('the app called', () => called === 1, 2000);
      expect(h.events('request-rejected')).to.have.length(0);
    });
  });
});
