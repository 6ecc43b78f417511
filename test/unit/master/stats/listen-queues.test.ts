import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../../../support/tmp';
import { forgetTcpFiles, readListenQueues } from '../../../../src/master/stats/listen-queues.js';

type WithFd = net.Server & { _handle: { fd: number } };

async function listen(host: string): Promise<WithFd> {
  const server = net.createServer() as WithFd;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, backlog: 16 }, resolve);
  });
  return server;
}

/** The /proc/net files read while `fn` runs. */
async function filesRead(fn: () => Promise<unknown>): Promise<string[]> {
  const opened: string[] = [];
  const original = fs.openSync;
  fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
    if (String(file).startsWith('/proc/net/')) opened.push(String(file));
    return (original as (...a: unknown[]) => number)(file, ...rest);
  }) as typeof fs.openSync;
  try {
    await fn();
  } finally {
    fs.openSync = original;
  }
  return opened;
}

describe('master/stats/listen-queues', () => {
  const servers: net.Server[] = [];
  beforeEach(() => forgetTcpFiles());

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  for (const [host, file, other] of [['127.0.0.1', '/proc/net/tcp', '/proc/net/tcp6'], ['::1', '/proc/net/tcp6', '/proc/net/tcp']] as const) {
    it(`${host}: reads both TCP tables once, then only ${file}, which holds the listener`, async () => {
      const server = await listen(host);
      servers.push(server);
      const socket = { fd: server._handle.fd, kind: 'tcp' as const, backlog: 16 };
      expect(await filesRead(() => readListenQueues([socket]))).to.deep.equal(['/proc/net/tcp', '/proc/net/tcp6']);
      for (let i = 0; i < 3; i++) {
        const read = await filesRead(() => readListenQueues([socket]));
        expect(read).to.deep.equal([file]);
        expect(read).to.not.include(other);
      }
    });
  }

  it('still counts the queue from the one table it reads: connections not accepted yet', async () => {
    const server = await listen('127.0.0.1');
    servers.push(server);
    const socket = { fd: server._handle.fd, kind: 'tcp' as const, backlog: 16 };
    await readListenQueues([socket]);
    // Three connections made while this loop is blocked in spawnSync, so none is accepted yet:
    // the kernel completes the handshakes and queues them. The read below runs before the loop
    // turns again (readListenQueues does its work synchronously).
    const { port } = server.address() as net.AddressInfo;
    const script = `const net = require('net'); let n = 0;
      for (let i = 0; i < 3; i++) net.connect(${port}, '127.0.0.1', () => { if (++n === 3) process.exit(0); });`;
    const child = spawnSync(process.execPath, ['-e', script], { timeout: 10_000 });
    expect(child.status).to.equal(0);
    const read = await filesRead(async () => {
      const [queue] = await readListenQueues([socket]);
      expect(queue).to.deep.equal({ queue: 3, max: 16 });
    });
    expect(read).to.deep.equal(['/proc/net/tcp']);
  });

  it('reads both tables again when a listener was found in neither', async () => {
    const server = await listen('127.0.0.1');
    servers.push(server);
    const fd = server._handle.fd;
    await readListenQueues([{ fd, kind: 'tcp', backlog: 16 }]);
    // A unix socket's fd passed as TCP: its inode is in no TCP table.
    const unix = net.createServer() as WithFd;
    const where = path.join(tempDir(), 'lq.sock');
    await new Promise<void>((resolve) => unix.listen(where, resolve));
    servers.push(unix);
    const read = await filesRead(() => readListenQueues([{ fd, kind: 'tcp', backlog: 16 }, { fd: unix._handle.fd, kind: 'tcp', backlog: 16 }]));
    expect(read).to.deep.equal(['/proc/net/tcp', '/proc/net/tcp6']);
  });
});
