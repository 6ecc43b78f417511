/**
 * Only the master's own faults end it, and then it cleans up: workers killed, socket, pidfile
 * and FIFO removed, exit code 1, one error line with the stack. The fault is real: a module
 * preloaded into the master (NODE_OPTIONS=--require) throws from a signal handler, outside any
 * code path tsuwsgi could catch locally. Workers and app threads load it too and ignore it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive } from '../support/wait';

const INJECT = `'use strict';
const { isMainThread } = require('node:worker_threads');
// The master has no IPC channel (a worker has one): only the master arms the fault.
if (isMainThread && typeof process.send !== 'function') {
  process.on('SIGWINCH', () => {
    throw new Error('injected master fault');
  });
}
`;

describe('a fatal error in the master itself', function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('kills the workers, vacuums socket, pidfile and FIFO, logs one line with the stack and exits 1', async () => {
    const dir = tempDir();
    const inject = path.join(dir, 'inject.js');
    fs.writeFileSync(inject, INJECT);
    const sock = path.join(dir, 'app.sock');
    const pidfile = path.join(dir, 'app.pid');
    const fifo = path.join(dir, 'fifo');
    const s = startServer({
      dir,
      env: { NODE_OPTIONS: `--require ${inject}` },
      ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), processes: 2, threads: 2, pidfile, 'master-fifo': fifo, vacuum: true },
    });
    server = s;
    const workers = await s.ready();
    process.kill(s.pid, 'SIGWINCH');
    const exit = await waitUntil('the master to exit', () => s.exit, 15_000);
    expect(exit.code).to.equal(1);
    const crashed = s.events('master-crashed');
    expect(crashed, s.stderr.join('\n')).to.have.length(1);
    expect(String((crashed[0].err as { stack?: string }).stack)).to.include('injected master fault');
    expect(s.stderr.join('\n'), 'the stack once, in the log line, not again by Node').to.not.include('injected master fault');
    expect(fs.existsSync(sock), 'socket removed').to.equal(false);
    expect(fs.existsSync(pidfile), 'pidfile removed').to.equal(false);
    expect(fs.existsSync(fifo), 'FIFO removed').to.equal(false);
    await waitUntil('the workers gone', () => workers.every((p) => !isAlive(p)) || undefined, 5000);
  });
});
