/** The stats server: uWSGI's JSON under load, Prometheus over stats-http, a stuck worker, real listen queues. */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request } from '../support/http';
import { waitUntil, sleep } from '../support/wait';
import { tempDir } from '../support/tmp';
import { readStatsDoc } from '../support/stats';
import { expectUwsgiStats } from '../support/stats-schema';
import { parsePrometheus, promValue } from '../support/prometheus';
import type { StatsDocument } from '../../src';
import { encodePacket } from '../../src/protocol';
import { exchange } from '../support/uwsgi-client';

const inFlight = (d: StatsDocument) => d.workers.flatMap((w) => w.cores).filter((c) => c.in_request === 1);
const total = (d: StatsDocument, key: 'requests' | 'exceptions' | 'tx' | 'running_time') => d.workers.reduce((n, w) => n + w[key], 0);

describe('stats server', function () {
  this.timeout(60_000);
  let served: BehindNginx | undefined;
  let server: ServerProcess | undefined;
  const opened: net.Socket[] = [];

  afterEach(async () => {
    for (const s of opened.splice(0)) s.destroy();
    await served?.stop();
    served = undefined;
    await server?.stop();
    server = undefined;
  });

  it('behind nginx, under load: uWSGI key set, busy workers with in_request, vars and request_start; counters after', async () => {
    const dir = tempDir();
    const stats = { path: path.join(dir, 'stats.sock') };
    served = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), processes: 2, threads: 2, 'threads-min': 2, 'disable-logging': true, stats: stats.path }, dir);
    const url = served.nginx.url;
    for (let i = 0; i < 6; i++) expect((await request(`${url}/`)).status).to.equal(200);
    const before = Math.floor(Date.now() / 1000);
    const secrets = { cookie: 'session=cookie-secret', 'x-api-key': 'header-secret' };
    const slow = [request(`${url}/block?ms=3000&token=query-secret`, { headers: secrets }), request(`${url}/block?ms=3000&token=query-secret`, { headers: secrets })];
    const busy = await waitUntil('two requests in flight in the stats', async () => {
      const d = await readStatsDoc(stats);
      return inFlight(d).length === 2 ? d : undefined;
    }, 10_000, 100);
    // Method and path only: no query string, header or cookie leaves through the stats socket.
    expect(JSON.stringify(busy)).to.not.match(/secret/);
    expectUwsgiStats(busy);
    expect(busy.workers).to.have.length(2);
    expect(busy.workers.every((w) => w.cores.length === 2)).to.equal(true);
    expect(busy.load).to.equal(2);
    for (const c of inFlight(busy)) {
      expect(c.vars).to.deep.equal(['REQUEST_METHOD=GET', 'REQUEST_URI=/block']);
      expect(c.req_info.request_start).to.be.within(before - 1, Math.ceil(Date.now() / 1000));
    }
    const busyWorkers = busy.workers.filter((w) => w.cores.some((c) => c.in_request === 1));
    expect(busyWorkers.every((w) => w.status === 'busy')).to.equal(true);
    expect(total(busy, 'requests')).to.equal(6);
    expect(busy.sockets).to.deep.equal([{ name: path.join(dir, 'app.sock'), proto: 'uwsgi', queue: 0, max_queue: 1024, shared: 0, can_offload: 0 }]);
    expect(busy.pid).to.equal(served.server.pid);
    expect(busy.workers.map((w) => w.pid).sort()).to.deep.equal(served.server.workerPids().sort());
    expect(busy.workers.every((w) => w.accepting === 1 && w.respawn_count === 1 && w.rss > 10 << 20 && w.vsz >= w.rss)).to.equal(true);

    await Promise.all(slow);
    expect((await request(`${url}/throw`)).status).to.equal(500);
    // A response reaches the client as its thread hands the last bytes to the kernel, a moment
    // before the thread records the request's end: wait for that, bounded. Each read starts a
    // new delta_requests, so the reads' deltas are summed.
    let delta = 0;
    const after = await waitUntil('no request in flight once every response arrived', async () => {
      const d = await readStatsDoc(stats);
      delta += d.workers.reduce((n, w) => n + w.delta_requests, 0);
      return inFlight(d).length === 0 ? d : undefined;
    }, 5000, 50);
    expectUwsgiStats(after);
    expect(after.workers.every((w) => w.status === 'idle')).to.equal(true);
    expect(total(after, 'requests')).to.equal(9);
    expect(total(after, 'exceptions')).to.equal(1);
    expect(total(after, 'tx')).to.be.greaterThan(9 * 50);
    // Two requests of 3 s each, in µs (blocking, so each held a thread of its own).
    expect(total(after, 'running_time')).to.be.at.least(2 * 2_900_000);
    for (const w of after.workers) {
      expect(w.cores.reduce((n, c) => n + c.requests, 0)).to.equal(w.requests);
      if (w.requests > 0) expect(w.avg_rt).to.equal(Math.round(w.running_time / w.requests));
    }
    expect(delta, 'requests since the document read while busy').to.equal(3);
  });

  it('stats-http: GET / is the document, GET /metrics Prometheus text a strict parser accepts', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, processes: 2, threads: 1, 'disable-logging': true, stats: `127.0.0.1:${statsPort}`, 'stats-http': true } });
    await server.ready();
    const app = `http://127.0.0.1:${http}`;
    for (let i = 0; i < 5; i++) await request(`${app}/`);
    await request(`${app}/throw`);
    await request(`${app}/nope`);
    const metrics = await request(`http://127.0.0.1:${statsPort}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(metrics.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
    const f = parsePrometheus(metrics.body.toString());
    const sum = (name: string, labels: Record<string, string> = {}) =>
      [1, 2].reduce((n, w) => n + (promValue(f, name, { worker: String(w), ...labels }) ?? 0), 0);
    expect(sum('tsuwsgi_requests_total')).to.equal(7);
    expect(sum('tsuwsgi_responses_total', { status: '2xx' })).to.equal(5);
    expect(sum('tsuwsgi_responses_total', { status: '4xx' })).to.equal(1);
    expect(sum('tsuwsgi_responses_total', { status: '5xx' })).to.equal(1);
    expect(sum('tsuwsgi_exceptions_total')).to.equal(1);
    expect(sum('tsuwsgi_request_duration_seconds_count')).to.equal(7);
    expect(sum('tsuwsgi_sent_bytes_total')).to.be.greaterThan(0);
    expect(sum('tsuwsgi_worker_up')).to.equal(2);
    expect(promValue(f, 'tsuwsgi_worker_rss_bytes', { worker: '1' })).to.be.greaterThan(10 << 20);
    expect(promValue(f, 'tsuwsgi_listen_queue_max', { socket: `127.0.0.1:${http}`, proto: 'http' })).to.equal(1024);
    const doc = await request(`http://127.0.0.1:${statsPort}/`);
    expect(doc.headers['content-type']).to.equal('application/json');
    expectUwsgiStats(JSON.parse(doc.body.toString()));
    expect((await request(`http://127.0.0.1:${statsPort}/other`)).status).to.equal(404);
    // tsuwsgi top reads the same document over HTTP.
    const top = spawnSync(process.execPath, [BIN, 'top', `http://127.0.0.1:${statsPort}/`], { encoding: 'utf8', timeout: 10_000 });
    expect(top.status, top.stderr).to.equal(0);
    expect(top.stdout).to.match(/^tsuwsgi .* 2 worker\(s\)/);
  });

  it('stats-vars = true: the full REQUEST_URI, query string included; still no header or cookie', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, 'disable-logging': true, stats: `127.0.0.1:${statsPort}`, 'stats-vars': true } });
    await server.ready();
    const slow = request(`http://127.0.0.1:${http}/slow?ms=2000&page=2`, { headers: { cookie: 'session=cookie-secret', 'x-api-key': 'header-secret' } });
    const busy = await waitUntil('the request in the stats', async () => {
      const d = await readStatsDoc({ port: statsPort });
      return inFlight(d).length === 1 ? d : undefined;
    }, 10_000, 100);
    expect(inFlight(busy)[0].vars).to.deep.equal(['REQUEST_METHOD=GET', 'REQUEST_URI=/slow?ms=2000&page=2']);
    expect(JSON.stringify(busy)).to.not.match(/secret/);
    await slow;
  });

  it('answers promptly while a threads=1 worker is stuck in synchronous code: its last known figures, busy', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, processes: 2, threads: 1, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    await server.ready();
    const app = `http://127.0.0.1:${http}`;
    for (let i = 0; i < 4; i++) await request(`${app}/`);
    const known = await readStatsDoc({ port: statsPort });
    const blocked = request(`${app}/block?ms=4000`);
    await sleep(500);
    const started = Date.now();
    const during = await readStatsDoc({ port: statsPort }, 5000);
    const took = Date.now() - started;
    const pid = Number((await blocked).body.toString().split(':')[0]);
    expect(took, 'stats answered within 2 s').to.be.below(2000);
    expectUwsgiStats(during);
    const stuck = during.workers.find((w) => w.pid === pid);
    const other = during.workers.find((w) => w.pid !== pid);
    expect(stuck?.status).to.equal('busy');
    expect(stuck?.requests, 'last known figures').to.equal(known.workers.find((w) => w.pid === pid)?.requests);
    expect(other?.status).to.equal('idle');
  });

  it('listen_queue is the real accept queue of a TCP socket; a full queue is logged once', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, processes: 1, threads: 1, listen: 4, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    await server.ready();
    const blocked = request(`http://127.0.0.1:${http}/block?ms=5000`);
    await sleep(300);
    for (let i = 0; i < 8; i++) {
      // A byte each: with TCP_DEFER_ACCEPT (the default) a silent connection stays out of the queue.
      const s = net.connect(http, '127.0.0.1', () => s.write('G'));
      s.on('error', () => undefined);
      opened.push(s);
    }
    const doc = await waitUntil('a full listen queue in the stats', async () => {
      const d = await readStatsDoc({ port: statsPort });
      return d.sockets[0].queue >= 4 ? d : undefined;
    }, 4000, 200);
    expect(doc.sockets[0]).to.include({ max_queue: 4 });
    expect(doc.listen_queue).to.equal(doc.sockets[0].queue);
    const warning = await server.waitForLog('listen queue full warning', (l) => l.event === 'listen-queue-full', 4000);
    expect(warning).to.include({ socket: `127.0.0.1:${http}`, max: 4 });
    expect(String(warning.msg)).to.include('is full');
    for (const s of opened.splice(0)) s.destroy();
    await blocked;
    await sleep(1500);
    expect(server.events('listen-queue-full')).to.have.length(1);
    expect((await readStatsDoc({ port: statsPort })).listen_queue_errors).to.be.at.least(1);
  });

  it('the master reads the queues in-process: idle, with a TCP and a unix socket, it starts no process in 2.5 s', async () => {
    // An `ss` each second (before) cost an idle master 1.5 % of a core, and every vassal of an
    // Emperor as much. strace shows each fork (clone without CLONE_THREAD) the master makes.
    const dir = tempDir();
    const http = await pickPort();
    server = startServer({ dir, ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, socket: path.join(dir, 'app.sock'), processes: 1, threads: 1, 'disable-logging': true } });
    await server.ready();
    const out = path.join(dir, 'strace.txt');
    // Two polls at least (one a second); before, each was a fork of the master for `ss`.
    const strace = spawnSync('strace', ['-qq', '-e', 'trace=clone,clone3,fork,vfork', '-o', out, '-p', String(server.pid)], { timeout: 2500, killSignal: 'SIGINT' });
    expect(strace.error === undefined || (strace.error as NodeJS.ErrnoException).code === 'ETIMEDOUT', String(strace.error)).to.equal(true);
    const forks = fs.readFileSync(out, 'utf8').split('\n').filter((l) => /\b(clone3?|v?fork)\(/.test(l) && !l.includes('CLONE_THREAD'));
    expect(forks, 'forks of the idle master').to.deep.equal([]);
  });

  it('listen_queue is real for a unix socket too (the kernel\'s queue, from /proc/net/unix)', async () => {
    const dir = tempDir();
    const [http, statsPort] = [await pickPort(), await pickPort()];
    const sock = path.join(dir, 'app.sock');
    // The http socket blocks the only thread; the unix socket's connections then wait in its queue.
    server = startServer({ dir, ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, socket: sock, processes: 1, threads: 1, listen: 3, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    await server.ready();
    const blocked = request(`http://127.0.0.1:${http}/block?ms=4000`);
    await sleep(300);
    for (let i = 0; i < 6; i++) {
      const s = net.connect(sock);
      s.on('error', () => undefined);
      opened.push(s);
    }
    const doc = await waitUntil('a full unix listen queue in the stats', async () => {
      const d = await readStatsDoc({ port: statsPort });
      const unix = d.sockets.find((x) => x.name === sock);
      return unix !== undefined && unix.queue >= 3 ? d : undefined;
    }, 4000, 200);
    expect(doc.sockets.find((x) => x.name === sock)).to.include({ proto: 'uwsgi', max_queue: 3 });
    await server.waitForLog('listen queue full warning', (l) => l.event === 'listen-queue-full' && l.socket === sock, 4000);
    for (const s of opened.splice(0)) s.destroy();
    // Seen: the rest of the 4 s block (a margin for the queue to fill) is not waited out.
    await server.stop('SIGINT');
    await blocked.catch(() => undefined);
  });

  it('counts a harakiri that killed a threads=1 worker, across its respawn', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, processes: 1, threads: 1, harakiri: 1, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    const [first] = await server.ready();
    await request(`http://127.0.0.1:${http}/loop`).catch(() => undefined);
    const doc = await waitUntil('the respawned worker in the stats', async () => {
      const d = await readStatsDoc({ port: statsPort });
      return d.workers[0].pid !== first && d.workers[0].pid !== 0 ? d : undefined;
    }, 10_000, 200);
    expect(doc.workers[0]).to.include({ id: 1, harakiri_count: 1, respawn_count: 2 });
  });

  it('counts a harakiri on the thread it stopped', async () => {
    const [http, statsPort] = [await pickPort(), await pickPort()];
    server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${http}`, processes: 1, threads: 2, harakiri: 1, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    await server.ready();
    const r = await request(`http://127.0.0.1:${http}/loop`);
    expect(r.status).to.equal(504);
    const doc = await waitUntil('harakiri_count 1', async () => {
      const d = await readStatsDoc({ port: statsPort });
      return d.workers[0].harakiri_count === 1 ? d : undefined;
    }, 5000, 100);
    expect(inFlight(doc), 'the replaced thread is not shown in a request').to.have.length(0);
  });

  it('counts read errors (a truncated packet) and write errors (a peer gone before the response)', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const statsPort = await pickPort();
    server = startServer({ dir, ini: { 'wsgi-file': fixtureApp('echo.js'), socket: sock, processes: 1, threads: 1, 'disable-logging': true, stats: `127.0.0.1:${statsPort}` } });
    await server.ready();
    // A packet header announcing 100 bytes of vars, then EOF.
    await exchange({ path: sock }, [Buffer.from([0, 100, 0, 0, 1, 2])], { endAfterWrite: true, timeoutMs: 5000 }).catch(() => undefined);
    // A slow request whose client leaves before the answer.
    const packet = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/slow?ms=300', PATH_INFO: '/slow', QUERY_STRING: 'ms=300', SERVER_PROTOCOL: 'HTTP/1.1' });
    const gone = net.connect(sock, () => gone.write(packet));
    gone.on('error', () => undefined);
    await sleep(100);
    gone.destroy();
    const doc = await waitUntil('one read and one write error', async () => {
      const d = await readStatsDoc({ port: statsPort });
      // A worker that missed the collector's deadline (a loaded machine) has no cores this round: ask again.
      const c = d.workers[0]?.cores[0];
      return c?.read_errors === 1 && c.write_errors === 1 ? d : undefined;
    }, 5000, 100);
    expect(doc.workers[0].cores[0]).to.include({ in_request: 0 });
  });

  it('a stats address already in use stops the start with E_SOCKET_IN_USE, before any worker', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      server = startServer({ ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${await pickPort()}`, stats: `127.0.0.1:${port}` } });
      const exit = await server.exited;
      expect(exit.code).to.equal(5);
      expect(server.stderr.join('\n')).to.match(/^tsuwsgi: stats 127\.0\.0\.1:\d+: cannot listen: EADDRINUSE$/m);
      expect(server.events('spawned')).to.have.length(0);
    } finally {
      blocker.close();
    }
  });
});
