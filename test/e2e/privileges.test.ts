/**
 * uid / gid / chown-socket with real processes. The suite runs as root: the master binds as
 * root and the workers become nobody:nogroup (65534, Debian's), and so does the master once
 * started (master-drops-root.test.ts). Each process's credentials are read from
 * /proc/<pid>/status. The master is started through setpriv with supplementary groups of its
 * own, so an empty Groups line in a worker shows a drop, not an inheritance. What nobody runs
 * comes from installForNobody() (a copy when the clone is not readable by nobody).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { pickPort, type IniValues, type ServerProcess } from '../support/server';
import { text } from '../support/http';
import { readLogLines } from '../support/log-file';
import { waitUntil } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';
import { NOBODY, credsOf, installForNobody, openDir, startInstalled, threadCreds, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';

const ALL_NOBODY = [NOBODY, NOBODY, NOBODY, NOBODY];
const SETPRIV = '/usr/bin/setpriv';
/** Root with two supplementary groups (adm, sudo on Debian; the numbers are all that matters). */
const ROOT_WITH_GROUPS = [SETPRIV, '--groups', '4,27', '--'];
const AS_NOBODY = [SETPRIV, '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--'];

const get = (uri: string) =>
  encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '', SERVER_PROTOCOL: 'HTTP/1.1' });
const bodyOf = (reply: Buffer) => reply.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');
const pidOf = (body: string) => Number(body.split(':')[0]);
const fixtureApp = (name: string) => installForNobody().fixtureApp(name);

function startVia(prefix: string[], dir: string, ini: IniValues): ServerProcess {
  return startInstalled(dir, ini, prefix);
}

function startServer(opts: { dir: string; ini: IniValues }): ServerProcess {
  return startInstalled(opts.dir, opts.ini);
}

async function exitOf(server: ServerProcess, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string[] }> {
  const exit = await waitUntil('the server to exit', () => server.exit, timeoutMs);
  return { code: exit.code, stderr: server.stderr.filter((l) => l.trim() !== '') };
}

/** As nobody, in a separate process: connect to a unix socket; 'ok' or the errno code. */
function connectAsNobody(sock: string): Promise<string> {
  const script = `const s = require('net').connect(process.argv[1]);
    s.on('connect', () => { process.stdout.write('ok'); s.destroy(); });
    s.on('error', (e) => process.stdout.write(e.code));`;
  return new Promise((resolve, reject) => {
    execFile(installForNobody().node, ['-e', script, sock], { uid: NOBODY, gid: NOBODY, timeout: 10_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('privileges: uid, gid, chown-socket', function () {
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

  it('workers run as nobody:nogroup without supplementary groups, the master becomes nobody too once bound, and both sockets serve', async () => {
    const dir = openDir();
    const sock = path.join(dir, 'app.sock');
    const port = await pickPort();
    server = startVia(ROOT_WITH_GROUPS, dir, {
      socket: sock, 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'),
      processes: 2, threads: 2, 'threads-min': 2, uid: 'nobody', gid: 'nogroup',
    });
    const workers = await server.ready();
    expect(workers).to.have.length(2);
    for (const t of threadCreds(server.pid)) expect(t, 'a thread of the master').to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
    for (const pid of workers) {
      expect(credsOf(`/proc/${pid}/status`), `worker ${pid}`).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
      // The app threads too (threads = 2): every task of the worker.
      for (const t of threadCreds(pid)) expect(t, `a thread of worker ${pid}`).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
    }
    expect(workers).to.include(pidOf(await text(`http://127.0.0.1:${port}/pid`)));
    expect(workers).to.include(pidOf(bodyOf(await exchange({ path: sock }, [get('/pid')]))));
    // Without chown-socket the socket stays root's (uWSGI does the same); the workers inherited it.
    const st = fs.statSync(sock);
    expect([st.uid, st.gid]).to.deep.equal([0, 0]);
    expect(server.events('privileges')[0]).to.include({ uid: NOBODY, gid: NOBODY });
    // The master, nobody now, still stops its workers gracefully.
    expect((await server.stop('SIGTERM')).code).to.equal(0);
  });

  it("gid defaults to the uid's primary group", async () => {
    const dir = openDir();
    const port = await pickPort();
    server = startVia(ROOT_WITH_GROUPS, dir, { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody' });
    const [worker] = await server.ready();
    expect(credsOf(`/proc/${worker}/status`)).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
    // A replacement worker is forked the same way.
    process.kill(worker, 'SIGKILL');
    const line = await server.waitForLog('a replacement worker accepting', (l) => l.event === 'accepting' && l.workerPid !== worker);
    expect(credsOf(`/proc/${line.workerPid as number}/status`)).to.deep.equal({ uid: ALL_NOBODY, gid: ALL_NOBODY, groups: [] });
  });

  it('chown-socket = nobody:nogroup gives the unix socket to 65534:65534, so that user can connect with mode 660', async () => {
    const dir = openDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({
      // master-as-root: a master that dropped root could not unlink in this root-owned directory.
      dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody', 'chown-socket': 'nobody:nogroup', 'chmod-socket': 660, vacuum: true, 'master-as-root': true },
    });
    const workers = await server.ready();
    const st = fs.statSync(sock);
    expect([st.uid, st.gid, st.mode & 0o777]).to.deep.equal([NOBODY, NOBODY, 0o660]);
    expect(await connectAsNobody(sock)).to.equal('ok');
    expect(workers).to.include(pidOf(bodyOf(await exchange({ path: sock }, [get('/pid')]))));
    // vacuum (done by the root master) removes the chowned socket.
    expect((await server.stop('SIGTERM')).code).to.equal(0);
    expect(fs.existsSync(sock)).to.equal(false);
  });

  it('without chown-socket a 660 socket stays root:root and nobody cannot connect (what chown-socket is for)', async () => {
    const dir = openDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody', 'chmod-socket': 660 } });
    await server.ready();
    expect(await connectAsNobody(sock)).to.equal('EACCES');
  });

  it('logto under uid: the master creates the file for the workers and their request lines reach it', async () => {
    const dir = openDir();
    const log = path.join(dir, 'logs', 'app.log');
    const port = await pickPort();
    server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody', threads: 2, 'threads-min': 2, logto: log } });
    const readLines = () => readLogLines(log);
    const ready = await waitUntil('the ready line in the logto file', () => readLines().find((l) => l.event === 'ready'), 15_000);
    const workers = ready.workers as number[];
    const st = fs.statSync(log);
    expect([st.uid, st.gid]).to.deep.equal([NOBODY, NOBODY]);
    const served = pidOf(await text(`http://127.0.0.1:${port}/pid?as=nobody`));
    const line = await waitUntil('the request line in the logto file', () => readLines().find((l) => l.event === 'request' && l.uri === '/pid?as=nobody'));
    // Written by an app thread of a worker running as nobody, through its own O_APPEND fd.
    expect(line).to.include({ status: 200, pid: served, role: 'thread' });
    expect(workers).to.include(served);
  });

  it('a port below 1024 is bound by the root master and served by the workers as nobody', async () => {
    let port = 0;
    for (let p = 1023; p > 900 && port === 0; p--) if (await canListen(p)) port = p;
    expect(port, 'a free port below 1024').to.be.greaterThan(0);
    server = startServer({ dir: openDir(), ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody' } });
    const [worker] = await server.ready();
    expect(credsOf(`/proc/${worker}/status`).uid).to.deep.equal(ALL_NOBODY);
    expect(pidOf(await text(`http://127.0.0.1:${port}/pid`))).to.equal(worker);
  });

  it('an unknown user or group name exits 2 with one line naming the option and the value', async () => {
    for (const [key, name, problem] of [['uid', 'no-such-user-tsuwsgi', 'no such user'], ['gid', 'no-such-group-tsuwsgi', 'no such group']]) {
      const failing = startServer({ dir: openDir(), ini: { socket: '127.0.0.1:0', 'wsgi-file': fixtureApp('echo.js'), [key]: name } });
      const { code, stderr } = await exitOf(failing);
      expect(code, key).to.equal(2);
      expect(stderr, key).to.have.length(1);
      expect(stderr[0]).to.contain(`${key} = "${name}": ${problem}`);
    }
  });

  it('a master that is not root refuses other ids at start (exit 3, one line) and accepts its own', async () => {
    const dir = openDir();
    const port = await pickPort();
    const ini = { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js') };
    const refused = startVia(AS_NOBODY, dir, { ...ini, uid: 1, gid: 1 });
    const { code, stderr } = await exitOf(refused);
    expect(code).to.equal(3);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.match(/uid 1 and gid 1 asked, but tsuwsgi runs as uid 65534 gid 65534, not root/);

    server = startVia(AS_NOBODY, dir, { ...ini, uid: 'nobody', gid: 'nogroup' });
    const [worker] = await server.ready();
    expect(credsOf(`/proc/${server.pid}/status`).uid).to.deep.equal(ALL_NOBODY);
    expect(credsOf(`/proc/${worker}/status`).uid).to.deep.equal(ALL_NOBODY);
    expect(pidOf(await text(`http://127.0.0.1:${port}/pid`))).to.equal(worker);
  });

  it('an app file the workers cannot read is an app-load error naming it (exit 4), not "cannot find module"', async () => {
    const dir = openDir();
    const hidden = path.join(dir, 'private');
    fs.mkdirSync(hidden, { mode: 0o700 });
    const app = path.join(hidden, 'app.js');
    fs.copyFileSync(fixtureApp('echo.js'), app);
    const failing = startServer({ dir, ini: { socket: '127.0.0.1:0', 'wsgi-file': app, uid: 'nobody' } });
    const { code, stderr } = await exitOf(failing);
    expect(code).to.equal(4);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(app).and.contain('cannot read the app file (EACCES)');
  });

  it('a log file the workers cannot reach is a boot error (exit 3) before anything is bound', async () => {
    const dir = openDir();
    const hidden = path.join(dir, 'private');
    fs.mkdirSync(hidden, { mode: 0o700 });
    const sock = path.join(dir, 'app.sock');
    const failing = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), uid: 'nobody', logto: path.join(hidden, 'app.log') } });
    const { code, stderr } = await exitOf(failing);
    expect(code).to.equal(3);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain('cannot write the log file (EACCES)');
    expect(fs.existsSync(sock)).to.equal(false);
  });
});
