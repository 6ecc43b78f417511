/**
 * Mules with real processes: the app's mules.send reaches the mule (threads = 1 and app
 * threads, onMessage and the iterator, mule to mule), refusals come back as codes, a mule that
 * dies is replaced and gets what was sent meanwhile, a reload restarts it without two of one
 * id at once and without losing or repeating a message, the stats show it, and SIGTERM leaves
 * no process behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, REPO, startServer, type ServerProcess } from '../support/server';
import { text, request } from '../support/http';
import { readStatsDoc } from '../support/stats';
import { tempDir } from '../support/tmp';
import { isAlive, waitUntil } from '../support/wait';

const MULE = (name: string): string => path.join(REPO, 'test', 'fixtures', 'mules', name);

interface Entry {
  mule: number;
  pid: number;
  message?: { text?: string; via?: number };
  started?: boolean;
  stopping?: boolean;
  loopEnded?: boolean;
}

function journal(file: string): Entry[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

function texts(file: string, mule: number): string[] {
  return journal(file).filter((e) => e.mule === mule && e.message !== undefined).map((e) => e.message?.text as string);
}

async function start(threads: number, extra: Record<string, string | number | string[]> = {}): Promise<{ server: ServerProcess; base: string; file: string }> {
  const dir = tempDir();
  const port = await pickPort();
  const file = path.join(dir, 'journal');
  const server = startServer({
    dir,
    ini: {
      'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('mule-sender.js'), threads,
      mule: [MULE('journal.js'), `${MULE('iterate.js')}:mule`], env: `MULE_JOURNAL=${file}`, 'worker-reload-mercy': 10, ...extra,
    },
  });
  await server.ready();
  await waitUntil('both mules started', () => server.events('mule-spawned').length >= 2);
  return { server, base: `http://127.0.0.1:${port}`, file };
}

function mulePids(server: ServerProcess): number[] {
  const lines = server.events('mule-spawned');
  const latest = new Map<number, number>();
  for (const l of lines) latest.set(l.mule as number, l.mulePid as number);
  return [...latest.values()];
}

describe('mules (e2e)', function () {
  this.timeout(60_000);

  for (const threads of [1, 2]) {
    it(`the app's messages reach the mules in order (threads = ${threads}), and refusals come back as codes`, async () => {
      const { server, base, file } = await start(threads);
      try {
        expect(await text(`${base}/count`)).to.equal('2');
        for (let i = 0; i < 20; i++) expect(await text(`${base}/send?mule=${1 + (i % 2)}&text=t${i}`)).to.equal('held');
        await waitUntil('20 messages handled', () => texts(file, 1).length + texts(file, 2).length === 20);
        expect(texts(file, 1)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `t${i * 2}`));
        expect(texts(file, 2)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `t${i * 2 + 1}`));
        const unknown = await request(`${base}/send?mule=3&text=x`);
        expect([unknown.status, unknown.body.toString()]).to.deep.equal([503, 'E_MULE_UNKNOWN']);
        expect((await request(`${base}/send?mule=1&size=70000`)).body.toString()).to.equal('E_MULE_MESSAGE');
      } finally {
        expect((await server.stop()).code).to.equal(0);
      }
      expect(server.unexpectedOutput()).to.deep.equal([]);
    });
  }

  it('a mule can send to another mule', async () => {
    const { server, base, file } = await start(1);
    try {
      // Mule 1 (journal.js) passes { forward: 2 } on to mule 2 before journaling it.
      expect(await text(`${base}/send?mule=1&text=fwd&forward=2`)).to.equal('held');
      // Mule 1 journals once its send is acknowledged, which races mule 2's delivery: wait for both.
      await waitUntil('mule 2 got it from mule 1, and mule 1 journaled it', () =>
        journal(file).some((e) => e.mule === 2 && e.message?.text === 'fwd') && texts(file, 1).length > 0,
      );
      expect(journal(file).find((e) => e.mule === 2 && e.message?.text === 'fwd')?.message?.via).to.equal(1);
      expect(texts(file, 1)).to.deep.equal(['fwd']);
    } finally {
      await server.stop();
    }
  });

  it('a mule that dies is replaced, and gets what was sent while it was down; the stats show it', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    const { server, base, file } = await start(1, { stats });
    try {
      const [first] = mulePids(server);
      process.kill(first, 'SIGKILL');
      // Sent at once: the master holds them until the new mule is ready.
      for (let i = 0; i < 5; i++) expect(await text(`${base}/send?mule=1&text=d${i}`)).to.equal('held');
      await waitUntil('5 messages handled by the new mule', () => texts(file, 1).length === 5, 15_000);
      const handledBy = new Set(journal(file).filter((e) => e.mule === 1 && e.message !== undefined).map((e) => e.pid));
      expect([...handledBy]).to.have.length(1);
      expect(handledBy.has(first)).to.equal(false);
      expect(server.events('mule-exited').find((l) => l.mulePid === first)).to.include({ signal: 'SIGKILL', level: 40 });
      const doc = await readStatsDoc({ path: stats });
      expect(doc.mules?.map((m) => [m.id, m.status, m.respawn_count, m.messages])).to.deep.equal([
        [1, 'idle', 2, 5],
        [2, 'idle', 1, 0],
      ]);
      expect(doc.mules?.[0].pid).to.equal(mulePids(server)[0]);
    } finally {
      await server.stop();
    }
  });

  it('a reload restarts the mules one generation at a time, and no message is lost or handled twice', async () => {
    const { server, base, file } = await start(2);
    try {
      const before = mulePids(server);
      const sent: string[] = [];
      const refused: string[] = [];
      let sending = true;
      let duringReload = 0;
      const loop = (async () => {
        for (let i = 0; sending || i < 40; i++) {
          const t = `r${i}`;
          const answer = await text(`${base}/send?mule=1&text=${t}`).catch((err: Error) => err.message);
          if (answer === 'held') sent.push(t);
          else refused.push(answer);
          if (i > 2000) break;
        }
      })();
      process.kill(server.pid, 'SIGHUP');
      await server.waitForLog('reload started', (l) => l.event === 'reload-started');
      const atStart = sent.length;
      await server.waitForLog('reload finished', (l) => l.event === 'reload-finished', 20_000);
      duringReload = sent.length - atStart;
      await waitUntil('both mules restarted', () => mulePids(server).every((p) => !before.includes(p)) && mulePids(server).length === 2, 15_000);
      sending = false;
      await loop;
      expect(refused, 'no request failed and no message was refused').to.deep.equal([]);
      expect(duringReload).to.be.greaterThan(0);
      await waitUntil('every message held is handled', () => texts(file, 1).length >= sent.length, 15_000);
      expect(texts(file, 1)).to.deep.equal(sent);
      // Never two mule 1 processes at once: the old one exited before the new one was spawned.
      const logs = server.logs();
      const exitedAt = logs.findIndex((l) => l.event === 'mule-exited' && l.mulePid === before[0]);
      const spawnedAt = logs.findIndex((l) => l.event === 'mule-spawned' && l.mule === 1 && l.mulePid !== before[0]);
      expect(exitedAt).to.be.greaterThan(-1);
      expect(spawnedAt).to.be.greaterThan(exitedAt);
      expect(server.events('mule-exited').filter((l) => before.includes(l.mulePid as number)).map((l) => l.code)).to.deep.equal([0, 0]);
      // The iterator mule's loop ended when it was told to stop.
      expect(journal(file).some((e) => e.pid === before[1] && e.loopEnded === true)).to.equal(true);
    } finally {
      await server.stop();
    }
  });

  it('SIGTERM: the workers drain, then the mules stop; nothing is left running', async () => {
    const { server, base } = await start(1);
    const pids = [...mulePids(server), ...server.workerPids()];
    expect(await text(`${base}/send?mule=1&text=last`)).to.equal('held');
    const exit = await server.stop('SIGTERM');
    expect(exit.code).to.equal(0);
    await waitUntil('no worker or mule left', () => pids.every((p) => !isAlive(p)), 5000);
    const names = server.logs().map((l) => l.event);
    expect(names.lastIndexOf('worker-exited')).to.be.lessThan(names.indexOf('mule-stopping'));
  });

  it('a mule module without a function is reported and retried (throttled), the server keeps serving', async () => {
    const dir = tempDir();
    const port = await pickPort();
    const server = startServer({ dir, ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('mule-sender.js'), mule: MULE('broken.js') } });
    try {
      await server.ready();
      const failed = await server.waitForLog('mule load failure', (l) => l.event === 'mule-load-failed' && l.role === 'master');
      expect(failed.msg).to.match(/broken\.js: no function "mule" or a default export to run as a mule/);
      await server.waitForLog('throttled respawn', (l) => l.event === 'mule-respawn-throttled');
      // Held for the mule while it cannot start (up to mule-queue).
      expect(await text(`http://127.0.0.1:${port}/send?mule=1&text=x`)).to.equal('held');
    } finally {
      expect((await server.stop()).code).to.equal(0);
    }
  });
});
