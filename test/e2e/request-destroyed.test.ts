/**
 * An app that destroys its request through stream.destroyer (a `for await` over the body that
 * throws, a failed `pipeline`) gets Node's treatment of it: `req.socket` becomes null. The
 * request line and the stats' byte count must not depend on it: they used to throw in the
 * worker (an uncaught exception, so the worker was recycled) after the app's 500 went out.
 */
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { exchange } from '../support/uwsgi-client';
import { tempDir } from '../support/tmp';
import { encodePacket } from '../../src/protocol';

describe('an app that destroys its request while reading it', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let socketPath: string;
  let httpPort: number;
  let workers: number[];

  before(async () => {
    const dir = tempDir();
    socketPath = path.join(dir, 'app.sock');
    httpPort = await pickPort();
    server = startServer({
      dir,
      ini: { socket: socketPath, 'http-socket': `127.0.0.1:${httpPort}`, 'wsgi-file': fixtureApp('post-buffering.js'), stats: path.join(dir, 'stats.sock') },
    });
    workers = await server.ready();
  });
  after(async () => server?.stop());

  it('is answered 500 and logged, on both socket kinds, and the worker stays', async () => {
    const body = Buffer.alloc(300_000, 1);
    const viaUwsgi = await exchange({ path: socketPath }, [
      encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: '/throw-reading', PATH_INFO: '/throw-reading', SERVER_PROTOCOL: 'HTTP/1.1', CONTENT_LENGTH: String(body.length) }),
      body,
    ]);
    expect(viaUwsgi.toString()).to.match(/^HTTP\/1.1 500/);
    const viaHttp = await request(`http://127.0.0.1:${httpPort}/throw-reading`, { method: 'POST', body: 'a small body' });
    expect(viaHttp.status).to.equal(500);
    await server.waitForLog('both request lines', () => server.events('request').filter((l) => l.uri === '/throw-reading' && l.status === 500).length === 2);
    expect(server.events('app-uncaught')).to.deep.equal([]);
    expect(server.events('app-error')).to.have.length(2);
    expect(server.workerPids()).to.deep.equal(workers);
  });
});
