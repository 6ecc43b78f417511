/** Process-model guarantees: no orphans, throttled respawns, socket modes, backlog clamp. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp } from '../support/server';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive } from '../support/wait';
import { somaxconn } from '../../src/master/backlog';

describe('process model', function () {
  this.timeout(30_000);

  it('the master is the process tsuwsgi started, its children are exactly the workers, and none outlives a SIGKILLed master', async () => {
    const dir = tempDir();
    const server = startServer({ dir, ini: { socket: path.join(dir, 'a.sock'), 'wsgi-file': fixtureApp('echo.js'), processes: 3, threads: 2 } });
    const workers = await server.ready();
    expect(server.workerPids().sort()).to.deep.equal([...workers].sort());
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    await waitUntil('every worker to exit after the master died', () => workers.every((p) => !isAlive(p)), 3000);
  });

  it('throttles a crash loop with a growing delay, logged', async () => {
    const dir = tempDir();
    const server = startServer({ dir, ini: { socket: path.join(dir, 'a.sock'), 'wsgi-file': fixtureApp('dies-soon.js') } });
    try {
      await server.ready();
      const throttled = await waitUntil('two throttled respawns', () => {
        const lines = server.events('respawn-throttled');
        return lines.length >= 2 ? lines : undefined;
      }, 10_000);
      expect(throttled[1].delayMs as number).to.be.greaterThan(throttled[0].delayMs as number);
      expect(throttled[0].msg).to.contain('respawning too fast');
    } finally {
      await server.stop('SIGINT');
    }
  });

  it('chmod-socket with no value gives 666, as uWSGI does', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'a.sock');
    const server = startServer({ dir, iniText: `[uwsgi]\nsocket = ${sock}\nwsgi-file = ${fixtureApp('echo.js')}\nchmod-socket =\n` });
    try {
      await server.ready();
      expect(fs.statSync(sock).mode & 0o777).to.equal(0o666);
    } finally {
      await server.stop();
    }
  });

  it('clamps listen to net.core.somaxconn with a warning', async () => {
    const max = somaxconn() as number;
    const dir = tempDir();
    const server = startServer({ dir, ini: { socket: path.join(dir, 'a.sock'), 'wsgi-file': fixtureApp('echo.js'), listen: max + 1 } });
    try {
      await server.ready();
      const warn = server.events('listen-clamped')[0];
      expect(warn).to.include({ asked: max + 1, granted: max });
    } finally {
      await server.stop();
    }
  });
});
