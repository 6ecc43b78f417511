/**
 * Log reopening for logrotate, as logrotate does it by default: rename app.log to app.log.1,
 * then signal (SIGUSR2) or write `l` to the master fifo. Real processes, files and signals.
 * Every request has a unique uri, so the two files together must hold each request line exactly
 * once: nothing lost, nothing duplicated around the switch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type IniValues, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { readLogLines } from '../support/log-file';
import { NOBODY, installForNobody, startInstalled, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';

type Line = Record<string, unknown>;

const readLines = readLogLines;
const requestUris = (lines: Line[]): string[] => lines.filter((l) => l.event === 'request').map((l) => String(l.uri));
/** Which app threads wrote request lines, as "worker:thread". */
const writers = (lines: Line[]): Set<string> => new Set(lines.filter((l) => l.event === 'request').map((l) => `${l.worker}:${l.thread}`));

interface Rotating {
  server: ServerProcess;
  port: number;
  log: string;
  rotated: string;
  fifo: string;
  sent: string[];
}

/** `installed`: run what nobody can read (installForNobody), for a suite with uid = nobody. */
async function start(extra: IniValues = {}, dir = tempDir(), installed = false): Promise<Rotating> {
  const port = await pickPort();
  const log = path.join(dir, 'logs', 'app.log');
  const fifo = path.join(dir, 'master.fifo');
  const app = installed ? installForNobody().fixtureApp('echo.js') : fixtureApp('echo.js');
  const ini = { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': app, processes: 2, threads: 2, 'threads-min': 2, logto: log, 'master-fifo': fifo, ...extra };
  const server = installed ? startInstalled(dir, ini) : startServer({ dir, ini });
  await waitUntil('ready line in the log file', () => {
    if (server.exit) throw new Error(`server exited: ${server.stderr.join('\n')}`);
    return readLines(log).some((l) => l.event === 'ready');
  }, 20_000);
  return { server, port, log, rotated: `${log}.1`, fifo, sent: [] };
}

/** `count` requests, 4 at a time, each with a unique uri; all must answer 200. */
async function send(r: Rotating, tag: string, count: number): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < count) {
      const uri = `/?${tag}=${next++}`;
      const reply = await request(`http://127.0.0.1:${r.port}${uri}`);
      expect(reply.status, uri).to.equal(200);
      r.sent.push(uri);
    }
  };
  await Promise.all([client(), client(), client(), client()]);
}

/**
 * Requests until every app thread (2 workers x 2 threads) has written a request line to the
 * new file: each has then reopened, so whatever comes later must land there.
 */
async function untilEveryThreadSwitched(r: Rotating): Promise<void> {
  let round = 0;
  await waitUntil('a request line from every app thread in the new file', async () => {
    await send(r, `switching${round++}x`, 8);
    return writers(readLines(r.log)).size === 4;
  }, 30_000, 0);
}

/** Stops the server (which flushes every buffer), then checks the split between the files. */
async function checkSplit(r: Rotating, before: string[], after: string[]): Promise<{ old: Line[]; fresh: Line[] }> {
  expect((await r.server.stop()).code).to.equal(0);
  const old = readLines(r.rotated);
  const fresh = readLines(r.log);
  const all = [...requestUris(old), ...requestUris(fresh)];
  expect(all.length, 'request lines in both files = requests made').to.equal(r.sent.length);
  expect([...all].sort()).to.deep.equal([...r.sent].sort());
  expect(requestUris(old)).to.include.members(before);
  expect(requestUris(fresh)).to.include.members(after);
  expect(requestUris(fresh).filter((u) => before.includes(u)), 'pre-rotation lines in the new file').to.deep.equal([]);
  expect(requestUris(old).filter((u) => after.includes(u)), 'post-rotation lines in the old file').to.deep.equal([]);
  return { old, fresh };
}

const tagged = (r: Rotating, tag: string): string[] => r.sent.filter((u) => u.startsWith(`/?${tag}=`));

describe('log reopening (logrotate)', function () {
  this.timeout(90_000);
  let r: Rotating | undefined;

  afterEach(async () => {
    await r?.server.stop();
    r = undefined;
  });

  const triggers: { name: string; source: string; fire: (x: Rotating) => void }[] = [
    { name: 'SIGUSR2 to the master', source: 'SIGUSR2', fire: (x) => process.kill(x.server.pid, 'SIGUSR2') },
    { name: 'master fifo l', source: 'fifo', fire: (x) => fs.writeFileSync(x.fifo, 'l') },
  ];
  for (const t of triggers) {
    it(`${t.name}: master, worker and thread lines move to a new file; each request line is in exactly one file`, async () => {
      r = await start();
      // No wait after these: lines still buffered (up to 20 ms) must be flushed to the old file.
      await send(r, 'before', 24);
      fs.renameSync(r.log, r.rotated);
      t.fire(r);
      const x = r;
      const reopened = await waitUntil('the master\'s reopen line in the new file', () => readLines(x.log).find((l) => l.event === 'log-reopened'));
      expect(reopened).to.include({ role: 'master', source: t.source, file: r.log, workers: 2 });
      await untilEveryThreadSwitched(r);
      await send(r, 'after', 24);
      const { old, fresh } = await checkSplit(r, tagged(r, 'before'), tagged(r, 'after'));
      expect(old.some((l) => l.event === 'log-reopened')).to.equal(false);
      expect(fresh.filter((l) => l.event === 'log-reopened')).to.have.length(1);
      expect(fresh.some((l) => l.event === 'stopped')).to.equal(true);
      expect([...old, ...fresh].filter((l) => l.level !== 30)).to.deep.equal([]);
      expect(r.server.unexpectedOutput()).to.deep.equal([]);
    });
  }

  it('log-reopen: a graceful reload reopens the log too', async () => {
    r = await start({ 'log-reopen': true });
    await send(r, 'before', 12);
    fs.renameSync(r.log, r.rotated);
    fs.writeFileSync(r.fifo, 'r');
    const x = r;
    await waitUntil('reload-finished in the new file', () => readLines(x.log).some((l) => l.event === 'reload-finished'), 30_000);
    await send(r, 'after', 12);
    const { old, fresh } = await checkSplit(r, tagged(r, 'before'), tagged(r, 'after'));
    expect(fresh.find((l) => l.event === 'log-reopened')).to.include({ source: 'fifo (log-reopen)' });
    expect(fresh.some((l) => l.event === 'reload-started')).to.equal(true);
    expect(old.some((l) => l.event === 'reload-started')).to.equal(false);
  });

  it('without log-reopen a reload leaves the master on the old file (uWSGI semantics); only new workers open the path', async () => {
    r = await start();
    fs.renameSync(r.log, r.rotated);
    fs.writeFileSync(r.fifo, 'r');
    const x = r;
    await waitUntil('reload-finished in the old file', () => readLines(x.rotated).some((l) => l.event === 'reload-finished'), 30_000);
    await send(r, 'after', 12);
    const { old, fresh } = await checkSplit(r, [], tagged(r, 'after'));
    expect(old.some((l) => l.event === 'log-reopened')).to.equal(false);
    expect(fresh.some((l) => l.role === 'master')).to.equal(false);
  });

  it('without logto it is one info line and nothing else', async () => {
    const port = await pickPort();
    const server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js') } });
    try {
      await server.ready();
      server.child.kill('SIGUSR2');
      const line = await server.waitForLog('log-reopen line', (l) => l.event === 'log-reopen');
      expect(line).to.include({ level: 30, role: 'master', source: 'SIGUSR2', reopened: false });
      expect((await request(`http://127.0.0.1:${port}/`)).status).to.equal(200);
      expect((await server.stop()).code).to.equal(0);
      expect(server.events('log-reopen')).to.have.length(1);
      expect(server.logs().filter((l) => (l.level as number) > 30)).to.deep.equal([]);
      expect(server.unexpectedOutput()).to.deep.equal([]);
    } finally {
      await server.stop();
    }
  });

  // A master that drops root (the default) reopens as the workers' user: master-drops-root.test.ts.
  describe('with uid/gid and master-as-root (workers unprivileged, log directory root-owned)', () => {
    before(function () {
      // The suite runs as root (privileges.test.ts); Debian's nobody:nogroup is 65534.
      skipUnless(this, whyNotAsNobody());
    });

    it('the root master creates the new file and gives it to the workers, who then write to it', async () => {
      const dir = tempDir();
      fs.chmodSync(dir, 0o755);
      fs.mkdirSync(path.join(dir, 'logs'), { mode: 0o755 });
      r = await start({ uid: NOBODY, gid: NOBODY, 'master-as-root': true }, dir, true);
      expect(fs.statSync(r.log)).to.include({ uid: NOBODY, gid: NOBODY });
      await send(r, 'before', 8);
      fs.renameSync(r.log, r.rotated);
      process.kill(r.server.pid, 'SIGUSR2');
      const x = r;
      await waitUntil('the reopen line in the new file', () => readLines(x.log).some((l) => l.event === 'log-reopened'));
      expect(fs.statSync(r.log)).to.include({ uid: NOBODY, gid: NOBODY });
      expect(fs.statSync(path.dirname(r.log)).uid, 'the workers could not have created it').to.equal(0);
      await untilEveryThreadSwitched(r);
      await send(r, 'after', 8);
      const { old, fresh } = await checkSplit(r, tagged(r, 'before'), tagged(r, 'after'));
      expect([...old, ...fresh].filter((l) => l.event === 'log-reopen-failed')).to.deep.equal([]);
      expect(r.server.unexpectedOutput()).to.deep.equal([]);
    });
  });
});
