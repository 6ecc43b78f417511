/** The raw uwsgi client the e2e tests trust: a request never made must not look like "no reply". */
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { exchange } from '../../support/uwsgi-client';
import { tempDir } from '../../support/tmp';

function listen(onConnection: (s: net.Socket) => void): Promise<{ path: string; close: () => Promise<void> }> {
  const file = path.join(tempDir(), 's.sock');
  const server = net.createServer(onConnection);
  return new Promise((resolve) =>
    server.listen(file, () => resolve({ path: file, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

describe('test support: uwsgi-client exchange', () => {
  it('rejects when the connection cannot be made (no socket file, or nothing listening)', async () => {
    const missing = path.join(tempDir(), 'nobody-here.sock');
    const err = await exchange({ path: missing }, [Buffer.from('x')]).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/cannot connect to .*nobody-here\.sock: connect ENOENT/);
    const refused = await exchange({ port: 1 }, [Buffer.from('x')]).then(() => undefined, (e: Error) => e);
    expect(refused?.message).to.match(/cannot connect to 127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  it('resolves with what the server sent before closing, and with nothing when it closed without a word', async () => {
    const seen: string[] = [];
    const server = await listen((s) => {
      s.once('data', (d) => {
        seen.push(d.toString());
        if (d.toString() === 'talk') s.end('answer');
        else s.destroy();
      });
    });
    try {
      expect((await exchange({ path: server.path }, [Buffer.from('talk')])).toString()).to.equal('answer');
      expect((await exchange({ path: server.path }, [Buffer.from('hush')])).length).to.equal(0);
      expect(seen, 'both requests reached the server').to.deep.equal(['talk', 'hush']);
    } finally {
      await server.close();
    }
  });
});
