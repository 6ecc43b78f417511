/**
 * Files the master did not create are not its to remove or take over: a live unix socket whose
 * listen queue is full, a socket or FIFO another server put at its paths since it started, a
 * FIFO another master reads. Real peers: a python3 server that never accepts (listen backlog 1)
 * and second tsuwsgi masters.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { text } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';

async function exitOf(server: ServerProcess, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string[] }> {
  const exit = await waitUntil('the server to exit', () => server.exit, timeoutMs);
  return { code: exit.code, stderr: server.stderr.filter((l) => l.trim() !== '') };
}

/** A unix socket server that listens (backlog 1) and never accepts; prints "ready" once listening. */
async function neverAccepting(file: string): Promise<ChildProcess> {
  const py = spawn('python3', ['-c', [
    'import socket, sys, time',
    's = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)',
    'print("ready", flush=True)',
    'time.sleep(120)',
  ].join('\n'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    py.stdout?.once('data', () => resolve());
    py.once('exit', (code) => reject(new Error(`python3 exited (${code})`)));
  });
  return py;
}

/** Connects; resolves with the socket once connected, or the error code. */
function connect(file: string): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A plain listening server on `file` that answers "other" (another server's socket). */
function otherServer(file: string): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer((c) => c.end('other'));
    srv.listen(file, () => resolve(srv));
  });
}

function readFrom(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    net.connect(file).on('data', (d: Buffer) => chunks.push(d)).on('end', () => resolve(Buffer.concat(chunks).toString())).on('error', reject);
  });
}

describe('files the master does not own', function () {
  this.timeout(60_000);
  const cleanup: (() => void)[] = [];
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
    while (cleanup.length > 0) (cleanup.pop() as () => void)();
  });

  it('a live unix socket whose listen queue is full (connect: EAGAIN) is refused, not taken as stale: exit 5, one line, the socket kept', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'busy.sock');
    const py = await neverAccepting(sock);
    cleanup.push(() => py.kill('SIGKILL'));
    const ino = fs.lstatSync(sock).ino;
    // Backlog 1 holds two connections; the next non-blocking connect gets EAGAIN.
    const parked = [await connect(sock), await connect(sock)];
    for (const p of parked) if (typeof p !== 'string') cleanup.push(() => p.destroy());
    expect(parked.map((p) => typeof p)).to.deep.equal(['object', 'object']);
    expect(await connect(sock), 'the queue is full').to.equal('EAGAIN');

    const failing = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js') } });
    const { code, stderr } = await exitOf(failing);
    expect(code).to.equal(5);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(sock).and.contain('listen queue is full');
    expect(fs.lstatSync(sock).ino, 'the live server keeps its socket').to.equal(ino);
    expect(py.exitCode).to.equal(null);
  });

  it('vacuum leaves the socket, FIFO and stats socket that another server put at its paths; removes its own otherwise', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const fifo = path.join(dir, 'master.fifo');
    const stats = path.join(dir, 'stats.sock');
    const ini = { socket: sock, 'master-fifo': fifo, stats, vacuum: true, 'wsgi-file': fixtureApp('echo.js') };
    server = startServer({ dir, ini });
    await server.ready();
    // Another server takes over each path (an operator started a second instance by hand).
    fs.unlinkSync(sock);
    const other = await otherServer(sock);
    fs.unlinkSync(stats);
    const otherStats = await otherServer(stats);
    cleanup.push(() => other.close(), () => otherStats.close());
    fs.unlinkSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const otherFifo = fs.statSync(fifo).ino;

    expect((await server.stop('SIGTERM')).code).to.equal(0);
    expect(await readFrom(sock), 'the other server still answers on its socket').to.equal('other');
    expect(await readFrom(stats)).to.equal('other');
    expect(fs.statSync(fifo).ino).to.equal(otherFifo);
    expect(server.events('vacuum-skipped').map((l) => l.file).sort()).to.deep.equal([fifo, sock, stats].sort());

    // Untouched paths are still removed.
    const own = startServer({ dir: tempDir(), ini: { ...ini, socket: path.join(dir, 'own.sock'), 'master-fifo': path.join(dir, 'own.fifo'), stats: path.join(dir, 'own-stats.sock') } });
    await own.ready();
    expect((await own.stop('SIGTERM')).code).to.equal(0);
    for (const f of ['own.sock', 'own.fifo', 'own-stats.sock']) expect(fs.existsSync(path.join(dir, f)), f).to.equal(false);
  });

  it("a master FIFO another master reads is refused (exit 5, one line); the first master keeps its FIFO and its commands", async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'master.fifo');
    const port = await pickPort();
    server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${port}`, 'master-fifo': fifo, 'wsgi-file': fixtureApp('echo.js') } });
    const first = server;
    await first.ready();
    const second = startServer({ dir: tempDir(), ini: { 'http-socket': `127.0.0.1:${await pickPort()}`, 'master-fifo': fifo, pidfile: path.join(dir, 'second.pid'), 'wsgi-file': fixtureApp('echo.js') } });
    const { code, stderr } = await exitOf(second);
    expect(code).to.equal(5);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(fifo).and.contain('another master is reading this FIFO');
    expect(fs.existsSync(path.join(dir, 'second.pid')), 'refused before writing its pidfile').to.equal(false);
    fs.writeFileSync(fifo, 'r');
    await first.waitForLog('the first master reloads from its FIFO', (l) => l.event === 'reload-finished', 20_000);
    expect(await text(`http://127.0.0.1:${port}/`)).to.be.a('string');
  });

  it('a stale master FIFO (nobody reads it) is replaced; a symlink or file at the FIFO path is refused, exit 2, its target untouched', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'master.fifo');
    execFileSync('mkfifo', [fifo]);
    server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${await pickPort()}`, 'master-fifo': fifo, 'wsgi-file': fixtureApp('echo.js') } });
    await server.ready();
    fs.writeFileSync(fifo, 'q');
    expect((await server.exited).code, 'the master read q from the FIFO it made').to.equal(0);

    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep\n', { mode: 0o644 });
    const link = path.join(dir, 'link.fifo');
    fs.symlinkSync(target, link);
    const refused = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${await pickPort()}`, 'master-fifo': link, 'wsgi-file': fixtureApp('echo.js') } });
    const { code, stderr } = await exitOf(refused);
    expect(code).to.equal(2);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.contain(link).and.contain('exists and is not a FIFO');
    expect(fs.readFileSync(target, 'utf8')).to.equal('keep\n');
    expect(fs.lstatSync(link).isSymbolicLink()).to.equal(true);
  });
});
