/**
 * With uid/gid the master gives up root once its sockets and files exist (uWSGI does too;
 * master-as-root keeps it). Everything it still does must work unprivileged: reloads (SIGHUP,
 * fifo, touch-reload), stats, log reopen, graceful stop and vacuum. The master is root at
 * start, with supplementary groups (setpriv), so an empty Groups line shows a drop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { pickPort, type IniValues, type ServerProcess } from '../support/server';
import { request, text } from '../support/http';
import { readLogLines } from '../support/log-file';
import { readStatsDoc } from '../support/stats';
import { waitUntil } from '../support/wait';
import { NOBODY, credsOf, installForNobody, openDir, startInstalled, threadCreds, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';

const ALL_NOBODY = [NOBODY, NOBODY, NOBODY, NOBODY];
const ROOT_WITH_GROUPS = ['/usr/bin/setpriv', '--groups', '4,27', '--'];
const pidOf = (body: string) => Number(body.split(':')[0]);

type Line = Record<string, unknown>;
const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

describe('the master drops root after start (uid/gid without master-as-root)', function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;

  before(function () {
    skipUnless(this, whyNotAsNobody());
    installForNobody();
  });

  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
  });

  function expectDropped(pid: number): void {
    for (const t of threadCreds(pid)) expect(t, `a thread of the master ${pid}`).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
  }

  it('runs as nobody:nogroup in every thread; reloads by SIGHUP, fifo and touch-reload, serves stats, and stops gracefully; vacuum warns once about what it cannot remove', async () => {
    const dir = openDir();
    const port = await pickPort();
    const sock = path.join(dir, 'app.sock');
    const stats = path.join(dir, 'stats.sock');
    const fifo = path.join(dir, 'master.fifo');
    const touch = path.join(dir, 'touch-me');
    fs.writeFileSync(touch, '');
    server = startInstalled(dir, {
      socket: sock, 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody',
      stats, 'master-fifo': fifo, 'touch-reload': touch, pidfile: path.join(dir, 'app.pid'), vacuum: true, threads: 2,
    }, ROOT_WITH_GROUPS);
    const s = server;
    let workers = await s.ready(20_000);
    expectDropped(s.pid);
    expect(s.events('master-dropped-root')).to.have.length(1);
    // Made while root: the stats socket is root's 0600 (stats-chmod), the FIFO root's 0600.
    const st = fs.statSync(stats);
    expect([st.uid, st.mode & 0o777]).to.deep.equal([0, 0o600]);
    expect((await readStatsDoc({ path: stats })).workers.map((w) => w.pid)).to.deep.equal(workers);

    let reloads = 0;
    const reload = async (how: string, fire: () => void): Promise<void> => {
      fire();
      await s.waitForLog(`reload ${how} finished`, () => s.events('reload-finished').length > reloads, 20_000);
      reloads++;
      const fresh = s.events('reload-finished').at(-1)?.workers as number[];
      expect(fresh, how).to.not.include.members(workers);
      workers = fresh;
      expect(workers).to.include(pidOf(await text(`http://127.0.0.1:${port}/pid`)));
    };
    await reload('SIGHUP', () => process.kill(s.pid, 'SIGHUP'));
    await reload('fifo r', () => fs.writeFileSync(fifo, 'r'));
    await reload('touch-reload', () => fs.utimesSync(touch, new Date(), new Date(Date.now() + 5000)));
    expect(s.events('reload-failed')).to.deep.equal([]);
    expect((await readStatsDoc({ path: stats })).workers.map((w) => w.pid)).to.deep.equal(workers);
    expectDropped(s.pid);

    expect((await s.stop('SIGTERM')).code).to.equal(0);
    // The directory is root's: an unprivileged master cannot unlink there. One warning, no crash.
    const failed = s.events('vacuum-failed');
    expect(failed).to.have.length(1);
    expect(String(failed[0].msg)).to.contain(`${sock} (EACCES)`).and.contain(`as uid ${NOBODY}`);
    expect(s.events('stopped')[0]).to.include({ code: 0 });
  });

  it('an ini only root can read: a reload fails with one line saying why, the workers keep serving', async () => {
    const dir = openDir();
    const port = await pickPort();
    server = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody' });
    const s = server;
    const workers = await s.ready(20_000);
    fs.chmodSync(s.iniPath, 0o600);
    process.kill(s.pid, 'SIGHUP');
    const failed = await s.waitForLog('reload-failed', (l) => l.event === 'reload-failed');
    expect(String(failed.msg)).to.contain(s.iniPath).and.contain(`runs as uid ${NOBODY} since it dropped root`).and.contain('master-as-root');
    expect(workers).to.include(pidOf(await text(`http://127.0.0.1:${port}/pid`)));
  });

  it('master-as-root = true keeps the master root, with its groups; the workers still run as nobody', async () => {
    const dir = openDir();
    const port = await pickPort();
    server = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', 'master-as-root': true }, ROOT_WITH_GROUPS);
    const [worker] = await server.ready(20_000);
    expect(credsOf(`/proc/${server.pid}/status`)).to.deep.equal({ uid: [0, 0, 0, 0], gid: [0, 0, 0, 0], groups: [4, 27] });
    expect(credsOf(`/proc/${worker}/status`)).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
    expect(server.events('master-keeps-root')).to.have.length(1);
  });

  describe('log reopen by a master that dropped root', () => {
    async function start(logs: string, extra: IniValues = {}): Promise<{ log: string; port: number; s: ServerProcess }> {
      const log = path.join(logs, 'app.log');
      const port = await pickPort();
      const s = startInstalled(path.dirname(logs), { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', logto: log, processes: 2, ...extra });
      server = s;
      await waitUntil('the ready line in the log file', () => {
        if (s.exit) throw new Error(`server exited ${JSON.stringify(s.exit)}: ${s.stderr.join('\n')}`);
        return readLogLines(log).some((l) => l.event === 'ready');
      }, 20_000);
      expectDropped(s.pid);
      return { log, port, s };
    }

    /** logrotate's default: rename, then SIGUSR2; a request after it must land in the new file. */
    async function rotate(log: string, port: number, s: ServerProcess, between?: () => void): Promise<Line[]> {
      fs.renameSync(log, `${log}.1`);
      between?.();
      process.kill(s.pid, 'SIGUSR2');
      const reopened = await waitUntil('log-reopened in the new file', () => nonEmpty(readLogLines(log).filter((l) => l.event === 'log-reopened')));
      await waitUntil('a request line of every worker in the new file', async () => {
        await request(`http://127.0.0.1:${port}/?after`);
        return new Set(readLogLines(log).filter((l) => l.event === 'request').map((l) => l.pid)).size === 2;
      }, 20_000, 0);
      return reopened;
    }

    it("in a log directory the workers' user owns: the master creates the new file as that user", async () => {
      const dir = openDir();
      const logs = path.join(dir, 'logs');
      fs.mkdirSync(logs, { mode: 0o755 });
      fs.chownSync(logs, NOBODY, NOBODY);
      const { log, port, s } = await start(logs);
      const reopened = await rotate(log, port, s);
      expect(reopened).to.have.length(1);
      expect(fs.statSync(log)).to.include({ uid: NOBODY, gid: NOBODY });
      expect([...readLogLines(log), ...readLogLines(`${log}.1`)].filter((l) => l.event === 'log-reopen-failed')).to.deep.equal([]);
    });

    it("in a root-owned log directory, with the new file made by logrotate's create 0640 nobody nogroup", async () => {
      const dir = openDir();
      const logs = path.join(dir, 'logs');
      fs.mkdirSync(logs, { mode: 0o755 });
      const { log, port, s } = await start(logs);
      await rotate(log, port, s, () => {
        fs.writeFileSync(log, '', { mode: 0o640 });
        fs.chownSync(log, NOBODY, NOBODY);
      });
      expect([...readLogLines(log), ...readLogLines(`${log}.1`)].filter((l) => l.event === 'log-reopen-failed')).to.deep.equal([]);
    });

    it('in a root-owned log directory without a new file: one error line that says what to do; the old file stays in use', async () => {
      const dir = openDir();
      const logs = path.join(dir, 'logs');
      fs.mkdirSync(logs, { mode: 0o755 });
      const { log, port, s } = await start(logs);
      fs.renameSync(log, `${log}.1`);
      process.kill(s.pid, 'SIGUSR2');
      const failed = await waitUntil('the reopen error in the old file', () => nonEmpty(readLogLines(`${log}.1`).filter((l) => l.event === 'log-reopen-failed')));
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({ role: 'master', source: 'SIGUSR2' });
      expect(String(failed[0].msg)).to.contain(log).and.contain(`runs as uid ${NOBODY}`).and.contain('create 0640 USER GROUP').and.contain('still writing to the old file');
      expect(fs.existsSync(log)).to.equal(false);
      expect((await request(`http://127.0.0.1:${port}/?still`)).status).to.equal(200);
      await waitUntil('the request line in the old file', () => readLogLines(`${log}.1`).some((l) => l.uri === '/?still'));
    });
  });
});
