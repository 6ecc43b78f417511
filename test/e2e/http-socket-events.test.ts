/**
 * On http-socket the app's req and res emit what Node's own HTTP server emits, in the same
 * order, for every scenario of test/support/req-res-events.ts (answered, read, client gone
 * before, during the body, during the response, a write after the end), and the worker
 * survives every one of them.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { text } from '../support/http';
import { RawConnection } from '../support/raw-http';
import { describeEventScenarios, type SentRequest, type Transport } from '../support/req-res-events';

function httpTransport(port: number): Transport {
  return {
    async send(method, uri, body) {
      const conn = await RawConnection.open(port);
      const length = body === undefined ? '' : `Content-Length: ${body.declared}\r\n`;
      conn.write(`${method} ${uri} HTTP/1.1\r\nHost: x\r\n${length}\r\n${'b'.repeat(body?.sent ?? 0)}`);
      const sent: SentRequest = {
        readResponse: async () => {
          await conn.waitForResponses(1);
        },
        firstBytes: async () => {
          await conn.waitForText('the first bytes of the response', (t) => t.length > 0);
        },
        leave: () => conn.destroy(),
      };
      return sent;
    },
    async events(id) {
      return JSON.parse(await text(`http://127.0.0.1:${port}/events?id=${encodeURIComponent(id)}`)) as string[] | null;
    },
  };
}

describe('http-socket: the events an app sees on req and res (as on Node\'s own server)', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;
  let workers: number[];

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('events.js'), processes: 1, threads: 1 } });
    workers = await server.ready();
  });
  after(() => server?.stop());

  describeEventScenarios(() => httpTransport(port));

  it('served every scenario on the same worker, with no error logged', () => {
    expect(server.workerPids()).to.deep.equal(workers);
    expect(server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
    expect(server.stderr.filter(Boolean)).to.deep.equal([]);
    expect(server.unexpectedOutput()).to.deep.equal([]);
  });
});
