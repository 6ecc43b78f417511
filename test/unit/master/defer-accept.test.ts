/**
 * TCP_DEFER_ACCEPT set through perl on a real listening socket: afterwards a client that
 * connects and sends nothing is not handed to accept(), one that writes is; without perl, or
 * on a socket that is not TCP, it says why instead of failing.
 */
import { expect } from 'chai';
import net from 'node:net';
import path from 'node:path';
import { deferAccept } from '../../../src/master/defer-accept';
import { socketFd } from '../../../src/shared/node-internals';
import { tempDir } from '../../support/tmp';
import { waitUntil } from '../../support/wait';

function serverFd(server: net.Server): number {
  return socketFd(server as unknown as net.Socket);
}

describe('master/defer-accept', function () {
  this.timeout(20_000);
  const open: (net.Server | net.Socket)[] = [];
  afterEach(async () => {
    // Connections first: a server's close() waits for the ones it accepted.
    const all = open.splice(0);
    for (const s of all) if (s instanceof net.Socket) s.destroy();
    for (const s of all) if (s instanceof net.Server) await new Promise((r) => s.close(r));
  });

  async function listening(where: number | string): Promise<{ server: net.Server; accepted: net.Socket[] }> {
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      open.push(s);
    });
    open.push(server);
    await new Promise<void>((resolve) => server.listen(where, '127.0.0.1' as never, resolve));
    return { server, accepted };
  }

  function connect(server: net.Server): Promise<net.Socket> {
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    open.push(client);
    return new Promise((resolve) => client.once('connect', () => resolve(client)));
  }

  it('a TCP socket: on, and a silent connection waits outside accept() while one that writes is accepted', async () => {
    const { server, accepted } = await listening(0);
    const result = deferAccept(serverFd(server), 4);
    expect(result).to.deep.include({ ok: true });
    expect((result as { seconds: number }).seconds).to.be.greaterThan(0);
    await connect(server);
    const talking = await connect(server);
    talking.write('x');
    await waitUntil('the connection that wrote to be accepted', () => accepted.length === 1, 10_000, 5);
    // The silent one completed its handshake (its client is connected) but is not accepted.
    await new Promise((r) => setTimeout(r, 300));
    expect(accepted).to.have.length(1);
  });

  it('without it (the control): a silent connection is accepted at once', async () => {
    const { server, accepted } = await listening(0);
    await connect(server);
    await waitUntil('the silent connection to be accepted', () => accepted.length === 1, 10_000, 5);
  });

  it('a unix socket: not set, with perl’s reason', async () => {
    const server = net.createServer();
    open.push(server);
    await new Promise<void>((resolve) => server.listen(path.join(tempDir(), 's.sock'), resolve));
    const result = deferAccept(serverFd(server), 4);
    expect(result.ok).to.equal(false);
    expect((result as { why: string }).why).to.match(/exited 2?\d*.*setsockopt: /);
  });

  it('no perl: not set, and says where it looked', async () => {
    const { server } = await listening(0);
    const result = deferAccept(serverFd(server), 4, ['/nonexistent/perl']);
    expect(result).to.deep.equal({ ok: false, why: 'perl not found (/nonexistent/perl)' });
  });
});
