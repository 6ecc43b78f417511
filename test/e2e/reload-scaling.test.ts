/**
 * Scaling while a reload runs: the reload replaces the workers with as many of the new
 * generation as are wanted when it ends, whether the count changed before or during it.
 * (Before the master was a reconcile loop, a worker added during a graceful reload was
 * retired with the old generation, and a removed one came back with the new.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, type ServerProcess } from '../support/server';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';

const appSource = (version: string): string => `module.exports = (req, res) => res.end('${version}:' + process.pid);\n`;
const get = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1' });
const bodyOf = (reply: Buffer): string => reply.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');

describe('scaling during a reload', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  async function reloadAndScale(commands: string, processes: number): Promise<{ s: ServerProcess; sock: string; before: number[] }> {
    const dir = tempDir();
    const app = path.join(dir, 'app.js');
    const fifo = path.join(dir, 'master.fifo');
    const sock = path.join(dir, 'app.sock');
    fs.writeFileSync(app, appSource('v1'));
    const s = startServer({ dir, ini: { socket: sock, 'wsgi-file': app, processes, 'master-fifo': fifo } });
    server = s;
    const before = await s.ready();
    fs.writeFileSync(app, appSource('v2'));
    // One write: the master reads the letters in order, the scaling lands inside the reload.
    fs.writeFileSync(fifo, commands);
    await s.waitForLog('reload-finished', (l) => l.event === 'reload-finished', 20_000);
    return { s, sock, before };
  }

  it('fifo "r+": the reload ends with one worker more, all of the new generation', async () => {
    const { s, sock, before } = await reloadAndScale('r+', 2);
    const after = await waitUntil('three workers', () => (s.workerPids().length === 3 ? s.workerPids() : undefined), 10_000);
    for (const pid of after) expect(before).to.not.include(pid);
    for (let i = 0; i < 6; i++) expect(bodyOf(await exchange({ path: sock }, [get]))).to.match(/^v2:/);
    expect(s.events('reload-finished')[0].workers).to.have.length(3);
  });

  it('fifo "r-": the reload ends with one worker less', async () => {
    const { s, sock } = await reloadAndScale('r-', 2);
    expect(s.events('reload-finished')[0].workers).to.have.length(1);
    await waitUntil('one worker', () => s.workerPids().length === 1, 10_000);
    expect(bodyOf(await exchange({ path: sock }, [get]))).to.match(/^v2:/);
  });
});
