/**
 * A worker's IPC messages are untrusted input, and a send to a worker can fail because it just
 * died: the master survives both, the other workers keep their pids, and requests are served.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { tempDir } from '../support/tmp';
import { waitUntil, isAlive, sleep } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { readStatsRaw } from '../support/stats';
import { readLogLines } from '../support/log-file';
import { encodePacket } from '../../src/protocol';

const get = (uri: string) =>
  encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '', SERVER_PROTOCOL: 'HTTP/1.1' });
const bodyOf = (reply: Buffer) => reply.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');

function hasDied(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

/** The worker pids that answer 40 requests in a row (each must be answered 200). */
async function servingPids(sock: string): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < 40; i++) {
    const reply = (await exchange({ path: sock }, [get('/pid')])).toString('latin1');
    expect(reply.startsWith('HTTP/1.1 200'), reply.slice(0, 60)).to.equal(true);
    pids.add(Number(bodyOf(Buffer.from(reply, 'latin1')).split(':')[0]));
  }
  return pids;
}

describe('worker IPC: untrusted messages and sends to dying workers', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
  });

  async function start(extra: Record<string, string | number | boolean> = {}): Promise<{ sock: string; dir: string; workers: number[] }> {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    // Every worker accepts (no accept turns), so that sequential requests reach all three.
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('app-faults.js'), processes: 3, 'accepting-workers': 0, 'disable-logging': true, ...extra } });
    const workers = await server.ready();
    return { sock, dir, workers };
  }

  it('malformed messages (null, strings, wrong shapes, repeats, huge) are dropped and logged; every worker keeps serving', async () => {
    const { sock, workers } = await start();
    const s = server as ServerProcess;
    for (let i = 0; i < 3; i++) {
      const reply = await exchange({ path: sock }, [get('/ipc-garbage')]);
      expect(bodyOf(reply), `the app answered after sending its garbage; ${s.stderr.join('\n')}`).to.match(/^\d+:0$/);
    }
    const dropped = await s.waitForLog('a dropped message', (l) => l.event === 'worker-bad-message');
    expect(dropped.worker).to.be.a('number');
    // Give the master time to handle all of them before checking it is still the same process.
    await sleep(500);
    expect(s.exit, `master exited: ${s.stderr.join('\n')}`).to.equal(undefined);
    expect(s.workerPids().sort()).to.deep.equal([...workers].sort());
    expect([...(await servingPids(sock))].sort()).to.deep.equal([...workers].sort());
    // Rate-limited: three rounds of 23 bad messages are not 69 lines.
    const lines = s.events('worker-bad-message');
    expect(lines.length).to.be.greaterThan(0).and.lessThan(30);
    expect(s.events('ready'), 'repeated ready messages announce nothing').to.have.length(1);
    expect(s.events('accepting'), 'one accepting line per worker').to.have.length(3);
  });

  it('a forged Node-internal handle acknowledgement does not reach the master unguarded', async () => {
    const { sock, workers } = await start();
    const s = server as ServerProcess;
    await exchange({ path: sock }, [get('/ipc-forged-ack')]);
    await s.waitForLog('the forged message logged', (l) => l.event === 'worker-bad-message');
    await sleep(300);
    expect(s.exit, `master exited: ${s.stderr.join('\n')}`).to.equal(undefined);
    expect(s.workerPids().sort()).to.deep.equal([...workers].sort());
    expect([...(await servingPids(sock))].sort()).to.deep.equal([...workers].sort());
  });

  it('bytes that are not a message on the channel: the master survives and replaces only that worker', async () => {
    const { sock, workers } = await start();
    const s = server as ServerProcess;
    const sender = Number(bodyOf(await exchange({ path: sock }, [get('/ipc-raw')])).split(':')[0]);
    expect(workers).to.include(sender);
    await s.waitForLog('the garbage logged', (l) => l.event === 'worker-bad-message' && l.workerPid === sender);
    const others = workers.filter((p) => p !== sender);
    const now = await waitUntil('the sender replaced', () => {
      const pids = s.workerPids();
      return pids.length === 3 && !pids.includes(sender) ? pids : undefined;
    });
    expect(s.exit).to.equal(undefined);
    for (const p of others) expect(now, 'the other workers keep their pids').to.include(p);
    await s.waitForLog('the replacement accepting', (l) => l.event === 'accepting' && !workers.includes(l.workerPid as number));
    expect([...(await servingPids(sock))].sort()).to.deep.equal([...now].sort());
  });

  it('SIGUSR1, SIGUSR2 and a stats request reaching the master just after a worker died: the master survives', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const statsSock = path.join(dir, 'stats.sock');
    const log = path.join(dir, 'app.log');
    // logto: SIGUSR2 then reopens the file and tells every worker.
    const s = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('app-faults.js'), processes: 3, 'disable-logging': true, stats: statsSock, logto: log } });
    server = s;
    const ready = await waitUntil('master ready', () => readLogLines(log).find((l) => l.event === 'ready'), 15_000);
    const workers = ready.workers as number[];
    let alive = [...workers];
    for (let round = 0; round < 3; round++) {
      const victim = alive[round % alive.length];
      // The master stopped, the stats client queued first, then the worker killed: on SIGCONT
      // the master handles the stats connection (and sends to every worker) before it reads
      // the dead worker's channel end; the signals arrive with it.
      process.kill(s.pid, 'SIGSTOP');
      const doc = readStatsRaw({ path: statsSock }, 10_000).catch((err: Error) => err.message);
      await sleep(100);
      process.kill(victim, 'SIGKILL');
      // A zombie: dead, its channel end closed, not reaped while the master is stopped.
      await waitUntil(`worker ${victim} dead`, () => hasDied(victim) || undefined, 5000);
      process.kill(s.pid, 'SIGUSR1');
      process.kill(s.pid, 'SIGUSR2');
      process.kill(s.pid, 'SIGCONT');
      await doc;
      await sleep(300);
      expect(s.exit, `master exited in round ${round}: ${s.stderr.join('\n')}`).to.equal(undefined);
      alive = await waitUntil('the victim replaced', () => {
        const pids = s.workerPids();
        return pids.length === 3 && !pids.includes(victim) ? pids : undefined;
      });
      for (const p of workers) if (p !== victim && alive.includes(p)) expect(isAlive(p)).to.equal(true);
    }
    await waitUntil('every worker accepting', () => alive.every((p) => readLogLines(log).some((l) => l.event === 'accepting' && l.workerPid === p)) || undefined, 15_000);
    const doc = JSON.parse(await readStatsRaw({ path: statsSock })) as { workers: { pid: number }[] };
    expect(doc.workers.map((w) => w.pid).sort()).to.deep.equal([...alive].sort());
    expect(readLogLines(log).filter((l) => l.event === 'log-reopened')).to.have.length(3);
    for (const p of await servingPids(sock)) expect(alive).to.include(p);
  });
});
