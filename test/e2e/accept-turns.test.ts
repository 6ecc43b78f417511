/**
 * Accept turns through a real nginx: with processes = 4 and accepting-workers = 2, workers 1 and
 * 2 take the connections while they keep up, a spare takes over the moment the primaries are
 * blocked or stopped, and no request fails on the way; with accepting-workers = 0 every worker
 * accepts. At processes = 2 (no more workers than CPUs) the default has one primary, and the
 * other worker joins when the primary's requests are long. The board the workers share is a
 * file with no name.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../support/tmp';
import { readStatsDoc } from '../support/stats';
import { expectUwsgiStats } from '../support/stats-schema';
import { fixtureApp, startServer } from '../support/server';
import { cpuCgroup } from '../support/cpu-cgroup';
import { request } from '../support/http';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';
import { serveBehindNginx, keepLoading, type BehindNginx, type LoadResult } from '../support/behind-nginx';
import { waitUntil, sleep, isAlive } from '../support/wait';

const serve = (ini: Record<string, string | number | boolean>, dir?: string): Promise<BehindNginx> =>
  serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, processes: 4, threads: 2, ...ini }, dir);

/** Requests served per worker id, from the /worker-id bodies ("pid:id"). */
function perWorker(bodies: readonly string[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const b of bodies) {
    const id = Number(b.split(':')[1]);
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

async function workerIdOf(url: string): Promise<number> {
  const r = await request(`${url}/worker-id`, { timeoutMs: 10_000 });
  expect(r.status).to.equal(200);
  return Number(r.body.toString().split(':')[1]);
}

/** The pid of worker `id`, asked of the worker itself through its /worker-id route. */
async function pidOfWorker(s: BehindNginx, id: number): Promise<number> {
  return waitUntil(`worker ${id}'s pid`, async () => {
    for (const pid of s.server.workerPids()) {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (env.includes(`TSUWSGI_WORKER_ID=${id}`)) return pid;
    }
    return undefined;
  });
}

describe('e2e: accept turns (accepting-workers)', function () {
  this.timeout(60_000);
  let s: BehindNginx | undefined;
  const stopped: number[] = [];
  afterEach(async () => {
    for (const pid of stopped.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGCONT');
    await s?.stop();
    s = undefined;
  });

  it('while the primaries keep up, they serve nearly everything, and the stats say who is which; with 0 every worker takes a share', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    s = await serve({ 'accepting-workers': 2, stats }, dir);
    const inTurns = async (): Promise<boolean> => {
      const doc = await readStatsDoc({ path: stats });
      expectUwsgiStats(doc);
      const byId = Object.fromEntries(doc.workers.map((w) => [w.id, w.accept_turn]));
      return JSON.stringify(byId) === JSON.stringify({ 1: 'primary', 2: 'primary', 3: 'spare', 4: 'spare' });
    };
    // A cold start (compiles, first collections) keeps the primaries busy enough for the spares to join a moment.
    expect((await keepLoading(`${s.nginx.url}/worker-id`, 200)).failures).to.deep.equal([]);
    await waitUntil('the spares out of turn after the warm-up', inTurns, 5000, 100);
    const turns = await keepLoading(`${s.nginx.url}/worker-id`, 1000);
    expect(turns.failures).to.deep.equal([]);
    const byWorker = perWorker(turns.bodies);
    const spares = (byWorker.get(3) ?? 0) + (byWorker.get(4) ?? 0);
    // Every worker accepting gives the spares about half; one may join for a while should both primaries be busy.
    expect(spares / turns.ok, JSON.stringify([...byWorker])).to.be.below(0.2);
    await waitUntil('the spares out of turn again', inTurns, 5000, 100);
    await s.stop();

    const dir0 = tempDir();
    const stats0 = path.join(dir0, 'stats.sock');
    s = await serve({ 'accepting-workers': 0, stats: stats0 }, dir0);
    await keepLoading(`${s.nginx.url}/worker-id`, 200);
    const all = await keepLoading(`${s.nginx.url}/worker-id`, 1000);
    expect(all.failures).to.deep.equal([]);
    const everyone = perWorker(all.bodies);
    const sparesAll = (everyone.get(3) ?? 0) + (everyone.get(4) ?? 0);
    expect(sparesAll / all.ok, JSON.stringify([...everyone])).to.be.above(0.2);
    expect((await readStatsDoc({ path: stats0 })).workers.map((w) => w.accept_turn)).to.deep.equal(['all', 'all', 'all', 'all']);
  });

  it('both primaries blocked: a spare serves the next request before either is free again', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    s = await serve({ 'accepting-workers': 2, stats }, dir);
    // Loading the app kept every loop busy: the spares may be in their turn for a moment after the start.
    await waitUntil('the spares out of turn', async () => (await readStatsDoc({ path: stats })).workers.filter((w) => w.accept_turn === 'spare').length === 2, 5000, 100);
    const blocks = [request(`${s.nginx.url}/block?ms=4000`, { timeoutMs: 20_000 }), sleep(100).then(() => request(`${s!.nginx.url}/block?ms=4000`, { timeoutMs: 20_000 }))];
    await sleep(300);
    const started = Date.now();
    const id = await workerIdOf(s.nginx.url);
    const waited = Date.now() - started;
    const replies = await Promise.all(blocks);
    const blockers = replies.map((r) => r.body.toString().split(':')[0]);
    expect(replies.map((r) => r.status)).to.deep.equal([200, 200]);
    // The two blocks went to the two primaries, and the request in between to a spare, long before the blocks ended.
    expect(new Set(blockers).size).to.equal(2);
    expect([3, 4]).to.include(id);
    expect(waited).to.be.below(3000);
  });

  it('primaries kept busy by an app that sleeps 40 ms a request (loops turning, no CPU wanted): a spare joins, nothing fails', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    s = await serve({ 'accepting-workers': 2, threads: 1, stats }, dir);
    await waitUntil('the spares out of turn', async () => (await readStatsDoc({ path: stats })).workers.filter((w) => w.accept_turn === 'spare').length === 2, 5000, 100);
    const primaries = new Set([await pidOfWorker(s, 1), await pidOfWorker(s, 2)].map(String));
    // Each request's 40 ms is well under the 200 ms that makes a record stale: the primaries stay
    // live and turning, busy (ELU) without waiting for a CPU, which is what lets a spare in.
    const live: LoadResult = { ok: 0, failures: [], bodies: [] };
    const bySpare = (): boolean => live.bodies.some((b) => !primaries.has(b.split(':')[0]!));
    await keepLoading(`${s.nginx.url}/block?ms=40`, 40, bySpare, 20_000, { live });
    expect(live.failures).to.deep.equal([]);
    expect(bySpare()).to.equal(true);
  });

  it('2 × 1 by default: one primary while requests are short; handlers that compute 20 ms at a third of its capacity let the other worker in', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    // auto is 1 here on any host: the CPUs when processes is above them (1 on a 1-CPU host), 1 otherwise.
    s = await serve({ processes: 2, threads: 1, stats }, dir);
    const turns = async (): Promise<string> => JSON.stringify((await readStatsDoc({ path: stats })).workers.map((w) => w.accept_turn));
    // A cold start's first requests are slow (compiles): worker 2 may join for a moment after them.
    expect((await keepLoading(`${s.nginx.url}/worker-id`, 200)).failures).to.deep.equal([]);
    await waitUntil('one primary, one spare', async () => (await turns()) === '["primary","spare"]', 10_000, 100);
    // One client, one request at a time: the primary is far from saturated. Eight clients could
    // saturate it, and then worker 2 joins by design whenever the suite's other job leaves the
    // CPUs free. A loaded machine can still make the primary read as stale or long for a moment,
    // and a spare that joined serves its hold (3 s) by design: one CI run had worker 2 at 122 of
    // 300. So up to three windows of 100, and one must stay under 20 %; with every worker
    // accepting, every window reads about half.
    const shares: number[] = [];
    const seen: string[] = [];
    while (shares.length < 3 && !shares.some((x) => x < 0.2)) {
      const bodies: string[] = [];
      for (let i = 0; i < 100; i++) {
        const r = await request(`${s.nginx.url}/worker-id`, { timeoutMs: 10_000 });
        expect(r.status).to.equal(200);
        bodies.push(r.body.toString());
      }
      const byWorker = perWorker(bodies);
      shares.push((byWorker.get(2) ?? 0) / bodies.length);
      seen.push(JSON.stringify([...byWorker]));
    }
    expect(Math.min(...shares), seen.join(' ')).to.be.below(0.2);

    // One request at a time, 20 ms of CPU each, 40 ms apart: the primary's loop about a third
    // busy, far from saturated, but each request that arrives while it computes would wait.
    const spare = String(await pidOfWorker(s, 2));
    const served: string[] = [];
    const deadline = Date.now() + 15_000;
    while (!served.includes(spare) && Date.now() < deadline) {
      const r = await request(`${s.nginx.url}/spin?ms=20`, { timeoutMs: 10_000 });
      expect(r.status).to.equal(200);
      served.push(r.body.toString().split(':')[0]!);
      await sleep(40);
    }
    expect(served, `worker 2 (pid ${spare}) served none of ${served.length}`).to.include(spare);
    expect(await turns()).to.equal('["primary","joined"]');
  });

  it('a primary stopped (SIGSTOP) or killed: the next worker takes its turn and no request fails', async () => {
    s = await serve({ 'accepting-workers': 2 });
    await sleep(300);
    const one = await pidOfWorker(s, 1);
    process.kill(one, 'SIGSTOP');
    stopped.push(one);
    const live = { ok: 0, failures: [] as string[], bodies: [] as string[] };
    const whileStopped = await keepLoading(`${s.nginx.url}/worker-id`, 200, () => perWorker(live.bodies).has(3), 30_000, { live });
    expect(whileStopped.failures).to.deep.equal([]);
    expect(perWorker(whileStopped.bodies).has(1)).to.equal(false);
    process.kill(one, 'SIGCONT');
    stopped.length = 0;

    const two = await pidOfWorker(s, 2);
    process.kill(two, 'SIGKILL');
    await waitUntil('worker 2 gone', () => !isAlive(two) || !s!.server.workerPids().includes(two), 5000);
    const afterKill = await keepLoading(`${s.nginx.url}/worker-id`, 200);
    expect(afterKill.failures).to.deep.equal([]);
    // Worker 2 is respawned (a new pid) and takes its turn again.
    await waitUntil('worker 2 respawned and serving', async () => (await keepLoading(`${s!.nginx.url}/worker-id`, 40)).bodies.some((b) => b.endsWith(':2') && !b.startsWith(`${two}:`)), 20_000, 100);
  });

  it('auto follows the CPU quota of the cgroup the master runs in: 1 CPU, 1 primary of 4 workers', async () => {
    const dir = tempDir();
    const group = cpuCgroup(1, dir);
    try {
      const stats = path.join(dir, 'stats.sock');
      const server = startServer({ dir, node: group.node, ini: { socket: path.join(dir, 'app.sock'), 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, processes: 4, stats } });
      try {
        await server.ready();
        const procs = fs.readFileSync(path.join(group.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
        expect(procs).to.include(server.pid);
        await waitUntil('1 primary and 3 spares', async () => {
          const turns = (await readStatsDoc({ path: stats })).workers.map((w) => w.accept_turn);
          return JSON.stringify(turns) === JSON.stringify(['primary', 'spare', 'spare', 'spare']);
        }, 10_000, 100);
      } finally {
        await server.stop();
      }
    } finally {
      await waitUntil('the cgroup empty', () => fs.readFileSync(path.join(group.dir, 'cgroup.procs'), 'utf8').trim() === '', 5000);
      group.remove();
    }
  });

  it('the board has no name: nothing in /dev/shm or the temp dir, only an fd each worker holds', async () => {
    const dirs = ['/dev/shm', os.tmpdir()].filter((d) => fs.existsSync(d));
    const named = (): string[] => dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.startsWith('tsuwsgi-turns-')));
    const before = named();
    s = await serve({ 'accepting-workers': 2 });
    expect(named()).to.deep.equal(before);
    for (const pid of s.server.workerPids()) {
      const targets = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(targets.filter((t) => t.includes('tsuwsgi-turns-')).every((t) => t.endsWith('(deleted)'))).to.equal(true);
      expect(targets.some((t) => t.includes('tsuwsgi-turns-'))).to.equal(true);
    }
    await s.stop();
    s = undefined;
    expect(named()).to.deep.equal(before);
  });

  it('no directory takes the board (a read-only /dev/shm, a temp dir that does not exist): one warning, every worker accepts', async () => {
    // A private mount namespace for the master and its workers only: a read-only tmpfs over
    // /dev/shm there, nothing changed for the rest of the machine.
    const dir = tempDir();
    const node = path.join(dir, 'node-no-shm.sh');
    fs.writeFileSync(node, `#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount -t tmpfs -o ro,size=64k tsuwsgi-test /dev/shm || exit 97; exec "$0" "$@"' '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const stats = path.join(dir, 'stats.sock');
    const server = startServer({
      dir, node, env: { TMPDIR: path.join(dir, 'absent') },
      ini: { socket: path.join(dir, 'app.sock'), 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, processes: 4, 'accepting-workers': 2, stats },
    });
    try {
      await server.ready();
      const shm = fs.readFileSync(`/proc/${server.pid}/mountinfo`, 'utf8').split('\n').filter((l) => l.split(' ')[4] === '/dev/shm').pop(); // the top mount: listed last
      expect(shm, 'the master sees the read-only /dev/shm').to.match(/ ro[, ]/);
      const warning = await server.waitForLog('the board warning', (l) => l.event === 'accept-turns-off', 5000);
      expect(String(warning.msg)).to.include('every worker accepts');
      const doc = await readStatsDoc({ path: stats });
      expect(doc.workers.map((w) => w.accept_turn)).to.deep.equal(['all', 'all', 'all', 'all']);
      for (let i = 0; i < 4; i++) {
        const packet = encodePacket({ REQUEST_METHOD: 'GET', PATH_INFO: '/worker-id', REQUEST_URI: '/worker-id', SERVER_PROTOCOL: 'HTTP/1.1' });
        const r = await exchange({ path: path.join(dir, 'app.sock') }, [packet], { timeoutMs: 5000 });
        expect(r.toString()).to.match(/^HTTP\/1\.1 200/);
      }
      expect(server.events('accept-turns-off'), 'warned once, not per worker').to.have.length(1);
    } finally {
      await server.stop();
    }
  });
});
