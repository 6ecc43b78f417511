/**
 * The first cut of the process model: pidfile, chmod-socket, graceful SIGTERM with a request in
 * flight, vacuum, SIGINT, a dead worker replaced, a dead app thread replaced alone, env and
 * chdir applied before the app loads, need-app.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { text } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';

const get = (uri: string) =>
  encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '', SERVER_PROTOCOL: 'HTTP/1.1' });

const bodyOf = (reply: Buffer) => reply.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');

describe('process lifecycle', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('writes the pidfile with the master pid, chmods the socket, drains a request on SIGTERM, exits 0 and vacuums', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const pidfile = path.join(dir, 'app.pid');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), pidfile, 'chmod-socket': 660, vacuum: true, processes: 2 } });
    await server.ready();
    expect(fs.readFileSync(pidfile, 'utf8').trim()).to.equal(String(server.pid));
    expect(fs.statSync(sock).mode & 0o777).to.equal(0o660);
    const workers = server.workerPids();
    expect(workers).to.have.length(2);
    const inFlight = exchange({ path: sock }, [get('/slow?ms=1500')]);
    await server.untilInFlight('/slow?ms=1500');
    const exit = await server.stop('SIGTERM');
    expect(bodyOf(await inFlight)).to.equal('slow done');
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(fs.existsSync(sock), 'vacuum removed the socket').to.equal(false);
    expect(fs.existsSync(pidfile), 'vacuum removed the pidfile').to.equal(false);
    for (const pid of workers) expect(isAlive(pid), `worker ${pid} gone`).to.equal(false);
  });

  it('keeps the socket file without vacuum', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js') } });
    await server.ready();
    expect((await server.stop('SIGTERM')).code).to.equal(0);
    expect(fs.existsSync(sock)).to.equal(true);
  });

  it('stops at once on SIGINT, with the interrupted exit code', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), vacuum: true } });
    await server.ready();
    const workers = server.workerPids();
    const inFlight = exchange({ path: sock }, [get('/slow?ms=5000')]);
    await server.untilInFlight('/slow?ms=5000');
    const exit = await server.stop('SIGINT');
    expect(exit.code).to.equal(130);
    expect(bodyOf(await inFlight)).to.equal('');
    await waitUntil('workers gone', () => workers.every((p) => !isAlive(p)), 5000);
  });

  it('replaces a worker process killed with SIGKILL', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), processes: 2 } });
    const [first, second] = await server.ready();
    process.kill(first, 'SIGKILL');
    const s = server;
    const pids = await waitUntil('a new worker', () => {
      const now = s.workerPids();
      return now.length === 2 && !now.includes(first) ? now : undefined;
    });
    expect(pids).to.include(second);
    await s.waitForLog('respawned worker accepting', (l) => l.event === 'accepting' && !([first, second] as unknown[]).includes(l.workerPid));
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) served.add(bodyOf(await exchange({ path: sock }, [get('/pid')])).split(':')[0]);
    expect([...served].every((p) => pids.includes(Number(p)))).to.equal(true);
  });

  it('replaces an app thread that dies, without restarting its process or its sibling', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), processes: 1, threads: 2, 'threads-min': 2 } });
    const [worker] = await server.ready();
    await exchange({ path: sock }, [get('/crash-thread')]);
    await server.waitForLog('thread replaced', (l) => l.event === 'thread-replaced');
    expect(server.workerPids()).to.deep.equal([worker]);
    const threads = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const [pid, thread] = bodyOf(await exchange({ path: sock }, [get('/pid')])).split(':');
      expect(Number(pid)).to.equal(worker);
      threads.add(thread);
    }
    expect(threads.size, 'both threads (the survivor and the replacement) serve').to.equal(2);
  });

  it('applies env and chdir before the app loads', async () => {
    const dir = tempDir();
    const work = tempDir();
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), env: ['GREETING=hi there', 'OTHER=x=y'], chdir: work } });
    await server.ready();
    expect(await text(`http://127.0.0.1:${port}/env?name=GREETING`)).to.equal('hi there');
    expect(await text(`http://127.0.0.1:${port}/env?name=OTHER`)).to.equal('x=y');
    expect(fs.realpathSync(await text(`http://127.0.0.1:${port}/cwd`))).to.equal(fs.realpathSync(work));
  });

  it('exits non-zero with the load error when the app cannot load (need-app)', async () => {
    const dir = tempDir();
    server = startServer({ dir, ini: { socket: path.join(dir, 'a.sock'), 'wsgi-file': fixtureApp('broken.js'), processes: 2 } });
    const exit = await server.exited;
    expect(exit.code).to.equal(4);
    expect(server.stderr.join('\n')).to.contain('broken.js').and.to.contain('this app cannot load');
    expect(server.events('spawned').length, 'no respawn loop').to.equal(2);
  });

  it('serves 503 instead of exiting when need-app = false', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'a.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('broken.js'), 'need-app': false } });
    await server.ready();
    expect(bodyOf(await exchange({ path: sock }, [get('/')]))).to.contain('no app loaded');
  });

  it('refuses a unix socket a live server holds, and replaces a stale one', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const holder = net.createServer().listen(sock);
    await new Promise((r) => holder.once('listening', r));
    const refused = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js') } });
    const exit = await refused.exited;
    expect(exit.code).to.equal(5);
    expect(refused.stderr.join('\n')).to.contain(sock).and.to.contain('another server');
    expect(fs.existsSync(sock), 'the live server keeps its socket').to.equal(true);
    holder.close();
    // A server killed with SIGKILL leaves its socket file behind with nobody listening.
    const killed = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js') } });
    await killed.ready();
    killed.kill();
    await killed.exited;
    expect(fs.lstatSync(sock).isSocket(), 'stale socket file left').to.equal(true);
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js') } });
    await server.ready();
    expect(bodyOf(await exchange({ path: sock }, [get('/')]))).to.equal('hello');
  });
});
