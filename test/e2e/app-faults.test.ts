/**
 * Faults an app causes outside one request, under a client loop through a real nginx: an
 * exception thrown from a timer, a rejection nobody handles, process.exit() in a handler, a
 * SIGKILLed worker. The master and the other workers (or sibling threads) are unaffected; only
 * requests that were on the faulty worker or thread may fail, and the graceful policies fail
 * none. TSUWSGI_TEST_REPORT=1 prints the failed-request counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, type LogLine } from '../support/server';
import { request, type Reply } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive } from '../support/wait';
import { readStatsDoc } from '../support/stats';
import { serveBehindNginx, keepLoading, reportLoad, type BehindNginx, type LoadResult } from '../support/behind-nginx';

/** Concurrent clients of keepLoading: the most requests one worker or thread can have in flight. */
const CLIENTS = 8;
/** Each loop request stays this long in flight, so that a fault finds some to fail. */
const LOOP_URI = '/pid?ms=20';

interface FaultRun {
  result: LoadResult;
  trigger: Reply;
  /** Log lines written since the fault was triggered. */
  logs: () => LogLine[];
}

/** "pid:threadId" of every answer. */
const servedBy = (r: LoadResult): Set<string> => new Set(r.bodies);
const pidOf = (who: string): number => Number(who.split(':')[0]);

async function faultUnderLoad(s: BehindNginx, fault: () => Promise<Reply>, done: (run: Omit<FaultRun, 'result'>) => boolean): Promise<FaultRun> {
  const live: LoadResult = { ok: 0, failures: [], bodies: [] };
  let triggered: Omit<FaultRun, 'result'> | undefined;
  const loading = keepLoading(`${s.nginx.url}${LOOP_URI}`, 200, () => triggered !== undefined && done(triggered), 60_000, { live });
  await waitUntil('the client loop running', () => live.ok >= 40, 20_000);
  const mark = s.server.lines.length;
  const logs = (): LogLine[] => s.server.lines.slice(mark).flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as LogLine] : []));
  const trigger = await fault();
  triggered = { trigger, logs };
  const result = await loading;
  return { result, trigger, logs };
}

const viaNginx = (s: BehindNginx, uri: string) => (): Promise<Reply> =>
  request(`${s.nginx.url}${uri}`).catch((err: Error) => ({ status: 0, headers: {}, rawHeaders: [], body: Buffer.from(err.message) }));

function expectMasterUnchanged(s: BehindNginx, masterPid: number): void {
  expect(s.server.exit, `master exited: ${s.server.stderr.join('\n')}`).to.equal(undefined);
  expect(s.server.pid).to.equal(masterPid);
  expect(isAlive(masterPid)).to.equal(true);
}

/** Two workers, each logged as accepting: the state every fault starts from. */
async function settled(s: BehindNginx): Promise<number[]> {
  return waitUntil('two accepting workers', () => {
    const pids = s.server.workerPids();
    const accepting = new Set(s.server.events('accepting').map((l) => l.workerPid));
    return pids.length === 2 && pids.every((p) => accepting.has(p)) ? pids : undefined;
  }, 20_000);
}

async function exceptionsOf(statsPath: string, pid: number): Promise<number> {
  const doc = await readStatsDoc({ path: statsPath });
  return doc.workers.find((w) => w.pid === pid)?.exceptions ?? -1;
}

for (const threads of [1, 2]) {
  describe(`app faults under load through nginx, threads = ${threads}`, function () {
    this.timeout(120_000);
    let s: BehindNginx;
    let masterPid: number;
    let statsPath: string;

    before(async () => {
      const dir = tempDir();
      statsPath = path.join(dir, 'stats.sock');
      s = await serveBehindNginx({ 'wsgi-file': fixtureApp('app-faults.js'), processes: 2, threads, 'threads-min': threads, 'disable-logging': true, stats: statsPath, 'worker-reload-mercy': 10 }, dir);
      masterPid = s.server.pid;
    });
    after(async () => {
      await s?.stop();
    });
    afterEach(function () {
      if (process.env.DEBUG_FAULTS && (this.currentTest?.state === 'failed' || process.env.DEBUG_FAULTS === 'all')) console.log(s.server.lines.map((l) => l.slice(0, 300)).join('\n'));
    });

    it('exceptions thrown in timers, also while draining: the first logged with its stack, all counted, and only that ' + (threads === 1 ? 'worker is recycled (replacement first)' : 'thread drains and is replaced'), async () => {
      const before = await settled(s);
      // 100 exceptions over 1 s; the request that causes them is answered after 1.5 s, so its
      // worker or thread is still draining it while they keep coming.
      const run = await faultUnderLoad(s, viaNginx(s, '/throw-later?n=100&every=10&hold=1500'), ({ logs }) =>
        threads === 1
          ? logs().some((l) => l.event === 'worker-exited')
          : logs().some((l) => l.event === 'thread-replaced'),
      );
      reportLoad(`threads=${threads} throw in a timer (x100)`, run.result);
      expect(run.trigger.status, 'the request in flight during the drain is answered').to.equal(200);
      const faulty = run.trigger.body.toString();
      expectMasterUnchanged(s, masterPid);
      expect(run.result.failures, 'no request fails: the faulty one drains').to.deep.equal([]);
      const uncaught = run.logs().filter((l) => l.event === 'app-uncaught');
      expect(uncaught.length, 'the first is logged, the flood is rate-limited').to.be.at.least(1).and.below(20);
      expect(String((uncaught[0].err as { stack?: string }).stack)).to.include('thrown in a timer by the test app (1 of 100)');
      const after = s.server.workerPids();
      if (threads === 1) {
        const [recycle] = run.logs().filter((l) => l.event === 'recycle');
        expect(recycle.reason).to.equal('uncaught-exception');
        expect(recycle.workerPid).to.equal(pidOf(faulty));
        expect(run.logs().find((l) => l.event === 'worker-exited')?.code, 'drained, then a clean exit').to.equal(0);
        expect(after).to.not.include(pidOf(faulty));
        for (const p of before.filter((p) => p !== pidOf(faulty))) expect(after, 'the other worker keeps its pid').to.include(p);
      } else {
        expect(after.sort(), 'no worker process restarted').to.deep.equal(before.sort());
        expect(await exceptionsOf(statsPath, pidOf(faulty))).to.be.at.least(1);
        // Every other thread that served before the fault is still serving after it.
        const later = await keepLoading(`${s.nginx.url}${LOOP_URI}`, 300);
        expect(later.failures).to.deep.equal([]);
        const siblings = [...servedBy(run.result)].filter((w) => w !== faulty);
        for (const w of siblings) if (servedBy(later).has(w) === false) expect.fail(`thread ${w} stopped serving`);
        expect(servedBy(later).has(faulty), 'the faulty thread is gone').to.equal(false);
      }
    });

    it('an unhandled rejection: logged, counted as an exception, and nothing restarts', async () => {
      const before = await settled(s);
      const run = await faultUnderLoad(s, viaNginx(s, '/reject-later'), ({ logs }) => logs().some((l) => l.event === 'app-unhandled-rejection'));
      reportLoad(`threads=${threads} unhandled rejection`, run.result);
      expect(run.trigger.status).to.equal(200);
      const faulty = run.trigger.body.toString();
      expectMasterUnchanged(s, masterPid);
      expect(run.result.failures).to.deep.equal([]);
      expect(s.server.workerPids().sort()).to.deep.equal(before.sort());
      expect(await exceptionsOf(statsPath, pidOf(faulty))).to.be.at.least(1);
      // ... and the worker or thread it happened on still serves.
      const later: LoadResult = { ok: 0, failures: [], bodies: [] };
      await keepLoading(`${s.nginx.url}${LOOP_URI}`, 100, () => later.bodies.includes(faulty), 60_000, { live: later });
      expect(later.failures).to.deep.equal([]);
    });

    it('process.exit() in a handler: only requests on that ' + (threads === 1 ? 'worker' : 'thread') + ' fail; it is replaced', async () => {
      const before = await settled(s);
      const exitsBefore = s.server.events(threads === 1 ? 'worker-exited' : 'thread-replaced').length;
      const run = await faultUnderLoad(s, viaNginx(s, '/exit'), () =>
        threads === 1
          ? s.server.events('accepting').some((l) => !before.includes(l.workerPid as number) && s.server.workerPids().includes(l.workerPid as number))
          : s.server.events('thread-replaced').length > exitsBefore,
      );
      reportLoad(`threads=${threads} process.exit in a handler`, run.result);
      expect(run.trigger.status, 'the request that exited fails').to.equal(502);
      expectMasterUnchanged(s, masterPid);
      expect(run.result.failures.length, `at most the requests in flight on it: ${run.result.failures.join('; ')}`).to.be.at.most(CLIENTS);
      for (const f of run.result.failures) expect(f).to.match(/^502 /);
      const after = s.server.workerPids();
      if (threads === 1) {
        expect(after.filter((p) => before.includes(p)), 'the other worker keeps its pid').to.have.length(1);
      } else {
        expect(after.sort(), 'no worker process restarted').to.deep.equal(before.sort());
      }
    });

    it('a worker SIGKILLed: only requests on it fail; the master respawns it', async () => {
      const before = await settled(s);
      const [victim, other] = before;
      const run = await faultUnderLoad(
        s,
        async () => {
          process.kill(victim, 'SIGKILL');
          return { status: 0, headers: {}, rawHeaders: [], body: Buffer.from(String(victim)) };
        },
        () => s.server.events('accepting').some((l) => !before.includes(l.workerPid as number) && s.server.workerPids().includes(l.workerPid as number)),
      );
      reportLoad(`threads=${threads} SIGKILL of a worker`, run.result);
      expectMasterUnchanged(s, masterPid);
      expect(run.result.failures.length).to.be.at.most(CLIENTS);
      expect(s.server.workerPids()).to.include(other);
      expect(s.server.workerPids()).to.not.include(victim);
    });
  });
}

describe('faults at every start', function () {
  this.timeout(90_000);
  let s: BehindNginx | undefined;
  after(async () => {
    await s?.stop();
  });

  it('a worker whose app throws from a timer soon after every start is replaced with growing delays, and no request fails', async () => {
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('app-faults.js'), processes: 1, 'disable-logging': true, env: 'FAULTY_THROW_AFTER_MS=100' });
    const x = s;
    const masterPid = x.server.pid;
    const result = await keepLoading(`${x.nginx.url}${LOOP_URI}`, 100, () => x.server.events('recycle').length >= 4, 60_000);
    reportLoad('threads=1 throw at every start (4 recycles)', result);
    expect(result.failures).to.deep.equal([]);
    expectMasterUnchanged(x, masterPid);
    const delays = x.server.events('recycle').map((l) => (l.delayMs as number | undefined) ?? 0);
    // 250, 500, 1000 … as long as each fault comes within 2 s of its worker's start (a slow
    // machine may take longer to load the app; the count then starts again).
    expect(delays.filter((d) => d > 0).length, delays.join(', ')).to.be.at.least(1);
    for (let i = 1; i < delays.length; i++) if (delays[i] > 0 && delays[i - 1] > 0) expect(delays[i], delays.join(', ')).to.equal(2 * delays[i - 1]);
    expect(x.server.events('respawn'), 'no worker died: each was replaced gracefully').to.have.length(0);
  });
});

describe('app threads that fail at boot again and again', function () {
  this.timeout(90_000);
  let s: BehindNginx | undefined;
  after(async () => {
    await s?.stop();
  });

  it('a replacement thread that cannot load the app is retried with growing delays, leaks no fds, and serves once the app loads again', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'broken');
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('app-faults.js'), processes: 1, threads: 2, 'threads-min': 2, 'disable-logging': true, env: `FAULTY_FAIL_IF=${marker}` }, dir);
    const x = s;
    const [worker] = x.server.workerPids();
    const fds = () => fs.readdirSync(`/proc/${worker}/fd`).length;
    fs.writeFileSync(marker, '');
    const crashed = await request(`${x.nginx.url}/exit`);
    expect(crashed.status).to.equal(502);
    const early = await waitUntil('two failed replacements', () => {
      const died = x.server.events('thread-died');
      return died.length >= 3 ? fds() : undefined;
    }, 20_000);
    const deaths = await waitUntil('five failed replacements', () => {
      const died = x.server.events('thread-died');
      return died.length >= 5 ? died : undefined;
    }, 30_000);
    const delays = deaths.slice(1).map((l) => l.respawnDelayMs as number);
    for (let i = 1; i < delays.length; i++) expect(delays[i], delays.join(', ')).to.be.greaterThan(delays[i - 1]);
    expect(fds(), 'each failed attempt gives its socket dups back').to.be.at.most(early);
    // The sibling thread served all along.
    const meanwhile = await keepLoading(`${x.nginx.url}/pid`, 50);
    expect(meanwhile.failures).to.deep.equal([]);
    expect(x.server.workerPids()).to.deep.equal([worker]);
    fs.rmSync(marker);
    await x.server.waitForLog('the thread replaced', (l) => l.event === 'thread-replaced', 20_000);
    const after = await keepLoading(`${x.nginx.url}/pid`, 200);
    expect(after.failures).to.deep.equal([]);
    expect(servedBy(after).size, 'two threads serve again').to.equal(2);
  });
});
