/**
 * A root master and the files it creates where the workers' user (nobody) can write: what the
 * app could plant there (a symlink or hard link where the log, the pidfile or the unix socket
 * will be) must never make root open, truncate, chmod or chown another file. The "app" is
 * played by a shell run as nobody:nogroup through setpriv; the victim is a root-only file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { pickPort, type IniValues, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { readLogLines } from '../support/log-file';
import { waitUntil } from '../support/wait';
import { NOBODY, asNobody, installForNobody, openDir, startInstalled, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';

const SECRET = 'root:secret:19000:0:99999:7:::\n';

/** A root-only file (0600 root:root, in a 0700 directory) the app must never reach. */
function victim(dir: string): string {
  const hidden = path.join(dir, 'root-only');
  fs.mkdirSync(hidden, { mode: 0o700 });
  const file = path.join(hidden, 'shadow');
  fs.writeFileSync(file, SECRET, { mode: 0o600 });
  return file;
}

function expectUntouched(file: string): void {
  const st = fs.lstatSync(file);
  expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, nlinkAtMost: st.nlink <= 2 }).to.deep.equal({ uid: 0, gid: 0, mode: 0o600, nlinkAtMost: true });
  expect(fs.readFileSync(file, 'utf8')).to.equal(SECRET);
}

/** A directory the workers' user owns (as the app's own log or run directory often is). */
function nobodyDir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chownSync(dir, NOBODY, NOBODY);
  return dir;
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

async function exitOf(server: ServerProcess, timeoutMs = 20_000): Promise<{ code: number | null; stderr: string[] }> {
  const exit = await waitUntil('the server to exit', () => server.exit, timeoutMs);
  return { code: exit.code, stderr: server.stderr.filter((l) => l.trim() !== '') };
}

const MODES: { name: string; ini: IniValues }[] = [
  { name: 'the master dropped root', ini: {} },
  { name: 'master-as-root (allow-writable-dirs)', ini: { 'master-as-root': true, 'allow-writable-dirs': true } },
];

describe('root master: files in directories the workers\' user can write', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;

  before(function () {
    skipUnless(this, whyNotAsNobody());
    installForNobody();
  });

  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
  });

  async function startLogging(dir: string, extra: IniValues): Promise<{ log: string; port: number }> {
    const logs = nobodyDir(dir, 'logs');
    const log = path.join(logs, 'app.log');
    const port = await pickPort();
    server = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', logto: log, ...extra });
    const s = server;
    await waitUntil('the ready line in the log file', () => {
      if (s.exit) throw new Error(`server exited ${JSON.stringify(s.exit)}: ${s.stderr.join('\n')}`);
      return readLogLines(log).some((l) => l.event === 'ready');
    }, 20_000);
    return { log, port };
  }

  for (const mode of MODES) {
    it(`logto (${mode.name}): the app swaps the log for a symlink to a root file; after SIGUSR2 the file is untouched and the master logs one error`, async () => {
      const dir = openDir();
      const target = victim(dir);
      const { log, port } = await startLogging(dir, mode.ini);
      asNobody(`mv ${log} ${log}.1 && ln -s ${target} ${log}`);
      process.kill((server as ServerProcess).pid, 'SIGUSR2');
      const failed = await waitUntil('the reopen error in the old file', () => nonEmpty(readLogLines(`${log}.1`).filter((l) => l.event === 'log-reopen-failed')));
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({ role: 'master', source: 'SIGUSR2' });
      expect(String(failed[0].msg)).to.contain(log).and.contain('symbolic link').and.contain('still writing to the old file');
      expectUntouched(target);
      // Still serving, still logging to the old file.
      expect((await request(`http://127.0.0.1:${port}/?after-the-swap`)).status).to.equal(200);
      await waitUntil('the request line in the old file', () => readLogLines(`${log}.1`).some((l) => l.uri === '/?after-the-swap'));
      expect(fs.lstatSync(log).isSymbolicLink()).to.equal(true);
      expectUntouched(target);
    });

    it(`logto (${mode.name}): a hard link to a root file put in place of the log is refused, the file untouched`, async () => {
      const dir = openDir();
      const target = victim(dir);
      const { log } = await startLogging(dir, mode.ini);
      asNobody(`mv ${log} ${log}.1`);
      // As root: nobody may not link a root-only file here (fs.protected_hardlinks = 1), but may
      // where that sysctl is off, or for any file it can read and write.
      fs.linkSync(target, log);
      process.kill((server as ServerProcess).pid, 'SIGUSR2');
      const failed = await waitUntil('the reopen error in the old file', () => nonEmpty(readLogLines(`${log}.1`).filter((l) => l.event === 'log-reopen-failed')));
      expect(failed).to.have.length(1);
      expect(String(failed[0].msg)).to.contain(log).and.contain('still writing to the old file');
      if (mode.ini['master-as-root'] === true) expect(String(failed[0].msg)).to.contain('2 hard links');
      expectUntouched(target);
    });
  }

  it('pidfile: a symlink the app planted at the pidfile path is replaced by the pidfile; its root-owned target is untouched', async () => {
    const dir = openDir();
    const target = victim(dir);
    const run = nobodyDir(dir, 'run');
    const pidfile = path.join(run, 'app.pid');
    asNobody(`ln -s ${target} ${pidfile}`);
    const port = await pickPort();
    server = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', pidfile });
    await server.ready(20_000);
    const st = fs.lstatSync(pidfile);
    expect(st.isFile(), 'a regular file now').to.equal(true);
    expect(fs.readFileSync(pidfile, 'utf8')).to.equal(`${server.pid}\n`);
    expectUntouched(target);
    expect(fs.readdirSync(run), 'no temp file left').to.deep.equal(['app.pid']);
  });

  it('unix socket: swapped for a symlink right after bind, it is refused (exit 5, one line), the target untouched', async function () {
    skipUnless(this, fs.existsSync('/usr/bin/strace') ? undefined : 'needs /usr/bin/strace (apt-get install strace)');
    const dir = openDir();
    const target = victim(dir);
    const sockets = nobodyDir(dir, 'sockets');
    const sock = path.join(sockets, 'app.sock');
    // strace holds every bind() for 1.5 s after it returns: the window in which the app swaps
    // the new socket file for a symlink, made wide enough to hit every time.
    const strace = ['/usr/bin/strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=bind', '-e', 'inject=bind:delay_exit=1500000', '--'];
    server = startInstalled(dir, {
      socket: sock, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody',
      'chmod-socket': 666, 'chown-socket': 'nobody:nogroup',
    }, strace);
    await waitUntil('the socket file', () => fs.existsSync(sock), 15_000);
    asNobody(`mv ${sock} ${sock}.moved && ln -s ${target} ${sock}`);
    const { code, stderr } = await exitOf(server);
    expect(code).to.equal(5);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(sock).and.contain('replaced right after bind');
    expectUntouched(target);
  });

  it('master-as-root refuses a log directory the workers\' user can write (exit 3, one line); allow-writable-dirs = true starts it', async () => {
    const dir = openDir();
    const logs = nobodyDir(dir, 'logs');
    const port = await pickPort();
    const ini = { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', 'master-as-root': true, logto: path.join(logs, 'app.log') };
    const refused = startInstalled(dir, ini);
    const { code, stderr } = await exitOf(refused);
    expect(code).to.equal(3);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(`${logs} is writable by uid ${NOBODY}`).and.contain('allow-writable-dirs = true');
    expect(fs.existsSync(path.join(logs, 'app.log')), 'nothing created').to.equal(false);

    server = startInstalled(dir, { ...ini, 'allow-writable-dirs': true });
    await waitUntil('the ready line', () => readLogLines(path.join(logs, 'app.log')).some((l) => l.event === 'ready'), 20_000);
  });

  it('master-as-root refuses a pidfile directory the workers\' user can write (exit 3, one line)', async () => {
    const dir = openDir();
    const run = nobodyDir(dir, 'run');
    const port = await pickPort();
    const refused = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', 'master-as-root': true, pidfile: path.join(run, 'app.pid') });
    const { code, stderr } = await exitOf(refused);
    expect(code).to.equal(3);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain('pidfile').and.contain(`${run} is writable by uid ${NOBODY}`);
  });

  it('any master refuses a log path through a directory the workers\' user can replace (exit 3): it could become a symlink to another directory', async () => {
    const dir = openDir();
    const app = nobodyDir(dir, 'app');
    const logs = path.join(app, 'logs');
    fs.mkdirSync(logs, { mode: 0o755 });
    const port = await pickPort();
    const refused = startInstalled(dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', logto: path.join(logs, 'app.log') });
    const { code, stderr } = await exitOf(refused);
    expect(code).to.equal(3);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(`can replace ${logs}`).and.contain('allow-writable-dirs = true');
  });
});
