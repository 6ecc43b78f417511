/**
 * On http-socket the app's req and res emit what Node's own HTTP server emits, in the same
 * order, for every scenario of test/support/req-res-events.ts (answered, read, client gone
 * before, during the body, during the response, a write after the end), and the worker
 * survives every one of them.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { describeEventScenarios, httpTransport } from '../support/req-res-events';

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
  });
});
