/**
 * A graceful stop on http-socket finishes the requests in flight and never waits on a
 * connection that holds no request: one idle between keep-alive requests, one that never sent
 * a byte, one that sent half a head. The master exits 0 without worker-reload-mercy firing.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { RawConnection, head } from '../support/raw-http';

describe('http-socket: graceful stop with idle and silent connections open', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  for (const threads of [1, 2]) {
    it(`threads = ${threads}: exits 0, in-flight request answered, mercy never needed`, async () => {
      const port = await pickPort();
      // Mercy (30 s) outlasts stop()'s own patience (15 s, then SIGKILL): a drain that waits
      // on any of these connections shows as a SIGKILL, not as a slow pass.
      // no-defer-accept: the silent connection must reach a worker (the default holds it in the
      // kernel until its first byte or the defer period, and the stop never sees it).
      server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), threads, 'worker-reload-mercy': 30, 'no-defer-accept': true } });
      await server.ready();

      const idle = await RawConnection.open(port);
      idle.write(head('GET / HTTP/1.1', 'Host: x'));
      await idle.waitForResponses(1);
      const silent = await RawConnection.open(port);
      const halfHead = await RawConnection.open(port);
      halfHead.write('GET / HTTP/1.1\r\nHo');
      const inFlight = await RawConnection.open(port);
      inFlight.write(head('GET /slow?ms=1000 HTTP/1.1', 'Host: x'));
      await server.untilInFlight('/slow?ms=1000');

      const exit = await server.stop('SIGTERM');
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(server.events('no-mercy')).to.deep.equal([]);
      const [answer] = inFlight.responses();
      expect(answer?.body.toString()).to.equal('slow done');
      for (const [name, conn] of [['idle', idle], ['silent', silent], ['half-head', halfHead]] as const) {
        await conn.waitClosed(`the ${name} connection`, 2000);
        expect(conn.text(), name).not.to.contain('408');
      }
      expect(idle.responses()).to.have.length(1);
    });
  }
});
