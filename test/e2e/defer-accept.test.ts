/**
 * TCP_DEFER_ACCEPT on the master's TCP sockets (src/master/defer-accept.ts), seen from the
 * kernel: a client that connects and sends nothing stays a half-open request (SYN-RECV on the
 * server side, `ss`) instead of being accepted by a worker; one that sends its request is
 * served. `no-defer-accept` (and a unix socket) keep the plain behaviour.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';
import { sleep, waitUntil } from '../support/wait';

/** Server-side sockets of this port in a TCP state, as the kernel lists them. */
function serverSide(port: number, state: 'syn-recv' | 'established'): number {
  const out = execFileSync('ss', ['-tnH', 'state', state, `( sport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

describe('TCP_DEFER_ACCEPT on TCP sockets', function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;
  const clients: net.Socket[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server?.stop();
    server = undefined;
  });

  async function silentClient(port: number): Promise<void> {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    clients.push(c);
    await new Promise((resolve) => c.once('connect', resolve));
  }

  for (const off of [false, true]) {
    it(off ? 'no-defer-accept: a silent connection is accepted at once' : 'by default: a silent connection waits in the kernel, a request is served', async () => {
      const port = await pickPort();
      server = startServer({ ini: { socket: `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), ...(off ? { 'no-defer-accept': true } : {}) } });
      await server.ready();
      await silentClient(port);
      if (off) {
        await waitUntil('the silent connection accepted', () => serverSide(port, 'established') === 1, 5000, 20);
        expect(serverSide(port, 'syn-recv')).to.equal(0);
      } else {
        await sleep(300);
        expect(serverSide(port, 'syn-recv')).to.equal(1);
        expect(serverSide(port, 'established')).to.equal(0);
        const answer = await exchange({ port }, [encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'x' })]);
        expect(answer.toString('latin1')).to.match(/^HTTP\/1\.1 200 /);
      }
    });
  }
});
