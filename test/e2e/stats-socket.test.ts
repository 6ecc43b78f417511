/**
 * A unix-socket stats address (issue 11: `stats = :9191` binds every interface, as in uWSGI; a
 * unix socket with a mode is the way to keep the document to one user or group).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { readStatsDoc } from '../support/stats';
import { tempDir } from '../support/tmp';

describe('stats on a unix socket (stats-chmod)', function () {
  this.timeout(30_000);
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
  });

  async function start(extra: Record<string, string | number>): Promise<{ stats: string; s: ServerProcess }> {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    const prev = process.umask(0o000);
    try {
      // An open umask: the mode must come from stats-chmod, not from the umask inherited.
      server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${await pickPort()}`, 'wsgi-file': fixtureApp('echo.js'), stats, ...extra } });
    } finally {
      process.umask(prev);
    }
    await server.ready();
    return { stats, s: server };
  }

  it('is 0600 by default, whatever the umask, serves the document and is removed at exit', async () => {
    const { stats, s } = await start({});
    expect(fs.statSync(stats).mode & 0o777).to.equal(0o600);
    expect((await readStatsDoc({ path: stats })).workers).to.have.length(1);
    expect((await s.stop('SIGTERM')).code).to.equal(0);
    expect(fs.existsSync(stats)).to.equal(false);
  });

  it('stats-chmod = 660 gives that mode', async () => {
    const { stats } = await start({ 'stats-chmod': 660 });
    expect(fs.statSync(stats).mode & 0o777).to.equal(0o660);
  });
});
