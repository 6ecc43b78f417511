/**
 * Forking a worker can fail: a chdir swapped away by a deploy (ENOENT, or ENOTDIR, which
 * Node throws instead of emitting), a node binary the workers' user may not execute (EACCES),
 * the workers' user over its process limit (EAGAIN). Each attempt is one logged line, the
 * next one waits longer, the master and the other workers are untouched, and the slot is
 * served again as soon as the cause is gone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess, type LogLine } from '../support/server';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { encodePacket } from '../../src/protocol';
import { installForNobody, startInstalled, whyNoNobody } from '../support/nobody-install';
import { skipUnless, whyNotRoot } from '../support/skip';

const get = (uri: string) =>
  encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '', SERVER_PROTOCOL: 'HTTP/1.1' });
const bodyOf = (reply: Buffer) => reply.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');

/** mkdtemp makes 0700; workers running as nobody must reach what is inside. */
function openDir(): string {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function pidServing(sock: string): Promise<number> {
  const reply = (await exchange({ path: sock }, [get('/pid')])).toString('latin1');
  expect(reply.startsWith('HTTP/1.1 200'), reply.slice(0, 80)).to.equal(true);
  return Number(bodyOf(Buffer.from(reply, 'latin1')).split(':')[0]);
}

function failuresOf(s: ServerProcess, code: string): LogLine[] {
  return s.events('spawn-failed').filter((l) => l.code === code);
}

/** Waits for `n` failed attempts with this errno; the master must stay up meanwhile. */
function waitForFailures(s: ServerProcess, code: string, n: number): Promise<LogLine[]> {
  return waitUntil(`${n} failed spawns with ${code}`, () => {
    if (s.exit) throw new Error(`master exited: ${JSON.stringify(s.exit)}\n${s.stderr.join('\n')}`);
    const f = failuresOf(s, code);
    return f.length >= n ? f : undefined;
  }, 20_000);
}

function expectGrowingDelays(lines: LogLine[]): void {
  const delays = lines.map((l) => l.delayMs as number);
  for (let i = 1; i < delays.length; i++) expect(delays[i], `delays ${delays.join(', ')}`).to.be.greaterThan(delays[i - 1]);
}

describe('spawn failures: the master survives them and retries, throttled', function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGINT');
    server = undefined;
  });

  it('a chdir swapped away (ENOENT), then a file in its place (ENOTDIR): one line per attempt, growing delays, served again once it is back', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const current = path.join(dir, 'current');
    fs.mkdirSync(current);
    const s = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), chdir: current, processes: 2, pidfile: path.join(dir, 'pid'), vacuum: true } });
    server = s;
    const [victim, survivor] = await s.ready();
    fs.renameSync(current, `${current}.old`);
    process.kill(victim, 'SIGKILL');

    const missing = await waitForFailures(s, 'ENOENT', 3);
    for (const f of missing) {
      expect(f.worker).to.equal(1);
      expect(f.msg, 'the line names the directory').to.include(current);
    }
    expectGrowingDelays(missing);
    expect(s.workerPids(), 'the other worker is untouched').to.deep.equal([survivor]);
    expect(await pidServing(sock), 'and keeps serving').to.equal(survivor);

    // Node throws this one from fork() instead of emitting 'error'.
    fs.writeFileSync(current, 'not a directory');
    const notDir = await waitForFailures(s, 'ENOTDIR', 1);
    expect(notDir[0].msg).to.include(current);

    fs.rmSync(current);
    fs.renameSync(`${current}.old`, current);
    const back = await s.waitForLog('the replacement accepting', (l) => l.event === 'accepting' && l.workerPid !== victim && l.workerPid !== survivor, 20_000);
    expect(s.exit).to.equal(undefined);
    expect(s.workerPids().sort()).to.deep.equal([survivor, back.workerPid as number].sort());
    const attempts = s.events('spawn-failed');
    expectGrowingDelays(attempts);
    expect(s.events('spawned'), 'no "spawned" line for an attempt that failed').to.have.length(3);
    for (let i = 0; i < 10; i++) expect([survivor, back.workerPid]).to.include(await pidServing(sock));
  });

  it('a chdir missing at first boot (need-app): retried, throttled; "ready" only once every worker accepts', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const later = path.join(dir, 'release');
    const s = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), chdir: later, processes: 2, 'need-app': true } });
    server = s;
    const failed = await waitForFailures(s, 'ENOENT', 4);
    expect(new Set(failed.map((f) => f.worker))).to.deep.equal(new Set([1, 2]));
    expect(s.events('ready'), 'not ready without a single worker').to.have.length(0);
    expect(s.exit).to.equal(undefined);
    fs.mkdirSync(later);
    const workers = await s.ready(20_000);
    expect(workers).to.have.length(2);
    expect(workers).to.include(await pidServing(sock));
  });

  describe('as root, with workers as nobody', () => {
    before(function () {
      skipUnless(this, whyNotRoot() ?? whyNoNobody() ?? (fs.existsSync('/usr/bin/prlimit') ? undefined : 'needs /usr/bin/prlimit (apt-get install util-linux)'));
    });

    it('EACCES: the node binary the master forks with becomes unreachable for the workers\' user', async () => {
      // The master forks with its own process.execPath: run it from a directory we can close.
      const nodeDir = openDir();
      const node = path.join(nodeDir, 'node');
      try {
        fs.linkSync(process.execPath, node);
      } catch {
        fs.copyFileSync(process.execPath, node);
        fs.chmodSync(node, 0o755);
      }
      const dir = openDir();
      const sock = path.join(dir, 'app.sock');
      // What the workers (nobody) run must be readable by nobody wherever the repository is.
      const s = startInstalled(dir, { socket: sock, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', gid: 'nogroup', processes: 2 }, [], node);
      server = s;
      const [victim, survivor] = await s.ready();
      fs.chmodSync(nodeDir, 0o700);
      process.kill(victim, 'SIGKILL');
      const denied = await waitForFailures(s, 'EACCES', 2);
      expectGrowingDelays(denied);
      expect(s.workerPids()).to.deep.equal([survivor]);
      expect(await pidServing(sock)).to.equal(survivor);
      fs.chmodSync(nodeDir, 0o755);
      const back = await s.waitForLog('the replacement accepting', (l) => l.event === 'accepting' && l.workerPid !== victim && l.workerPid !== survivor, 20_000);
      expect(s.workerPids().sort()).to.deep.equal([survivor, back.workerPid as number].sort());
    });

    it('EAGAIN: the workers\' user over its process limit (RLIMIT_NPROC of the master, inherited by the fork)', async () => {
      const dir = openDir();
      const sock = path.join(dir, 'app.sock');
      // master-as-root: a master that dropped to nobody is not dumpable, and prlimit (as ptrace)
      // cannot reach it; a root master forking as nobody meets the limit at the child's setuid.
      const s = startInstalled(dir, { socket: sock, 'wsgi-file': installForNobody().fixtureApp('echo.js'), uid: 'nobody', gid: 'nogroup', processes: 2, 'master-as-root': true });
      server = s;
      const [victim, survivor] = await s.ready();
      const soft = execFileSync('prlimit', ['--pid', String(s.pid), '--nproc', '--raw', '--noheadings', '--output=SOFT']).toString().trim();
      // The other worker alone is more tasks than 1: the fork's exec as nobody fails.
      execFileSync('prlimit', ['--pid', String(s.pid), '--nproc=1:']);
      try {
        process.kill(victim, 'SIGKILL');
        const refused = await waitForFailures(s, 'EAGAIN', 2);
        expectGrowingDelays(refused);
        expect(s.workerPids()).to.deep.equal([survivor]);
        expect(await pidServing(sock)).to.equal(survivor);
      } finally {
        if (s.exit === undefined) execFileSync('prlimit', ['--pid', String(s.pid), `--nproc=${soft}:`]);
      }
      const back = await s.waitForLog('the replacement accepting', (l) => l.event === 'accepting' && l.workerPid !== victim && l.workerPid !== survivor, 20_000);
      expect(s.workerPids().sort()).to.deep.equal([survivor, back.workerPid as number].sort());
    });
  });
});
