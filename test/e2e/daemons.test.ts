/**
 * Attached daemons with real processes: the test daemon (test/fixtures/daemons/daemon.js) logs
 * its start (pid, ids, cwd, the app's env), SIGHUPs and SIGTERM to a file, so each test reads
 * what really ran. Killed → started again; master SIGTERM → gone with what it started, no
 * orphan; master SIGKILL → gone too (pdeathsig); a reload restarts a plain daemon, signals one
 * with reloadsignal and keeps a smart one, which the next master adopts; a daemon that keeps
 * dying is throttled; as root with uid/gid, it runs as them. Stats, Prometheus, `tsuwsgi top`
 * and SIGUSR1 show them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { BIN, REPO, fixtureApp, pickPort, startServer, type LogLine, type ServerProcess } from '../support/server';
import { readStatsDoc } from '../support/stats';
import { parsePrometheus, promValue } from '../support/prometheus';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { isAlive, isRunning, waitUntil } from '../support/wait';
import { NOBODY, installForNobody, openDir, startInstalled, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';

const DAEMON = path.join(REPO, 'test', 'fixtures', 'daemons', 'daemon.js');

interface DaemonEvent {
  event: 'start' | 'hup' | 'term';
  pid: number;
  uid?: number;
  gid?: number;
  cwd?: string;
  tag?: string | null;
  ppid?: number;
}

/** What daemon NAME logged in DIR. */
function daemonLog(dir: string, name: string): DaemonEvent[] {
  const file = path.join(dir, `${name}.log`);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as DaemonEvent);
}

function starts(dir: string, name: string): DaemonEvent[] {
  return daemonLog(dir, name).filter((e) => e.event === 'start');
}

/** The `node daemon.js DIR NAME ...` command line. */
function daemonCmd(dir: string, name: string, ...more: string[]): string {
  return [process.execPath, DAEMON, dir, name, ...more].join(' ');
}

describe('attached daemons: real processes under a real master', function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;
  const leftRunning: number[] = [];

  afterEach(async () => {
    if (server !== undefined && server.exit === undefined) {
      server.kill();
      await server.exited;
    }
    server = undefined;
    for (const pid of leftRunning.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  async function start(dir: string, ini: Record<string, string | number | boolean | string[]>): Promise<ServerProcess> {
    const port = await pickPort();
    server = startServer({ dir, ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${port}`, processes: 1, 'disable-logging': true, ...ini } });
    await server.ready();
    return server;
  }

  it('killed → started again with the app\'s env and chdir; master SIGTERM → the daemon and what it started are gone, exit 0', async () => {
    const dir = tempDir();
    const bg = path.join(dir, 'bg.pid');
    // Shell syntax: sh stays in between, and a background child shares the process group.
    const s = await start(dir, {
      env: 'DAEMON_TAG=from-the-app', stats: path.join(dir, 'stats.sock'), 'worker-reload-mercy': 10,
      'attach-daemon': `sleep 300 & echo $! > ${bg}; exec ${daemonCmd(dir, 'a')}`,
    });
    const [first] = await waitUntil('the daemon started', () => starts(dir, 'a').length === 1 && starts(dir, 'a'));
    expect(first).to.deep.include({ tag: 'from-the-app', cwd: dir, ppid: s.pid });
    const sleeper = Number(await waitUntil('the background child', () => fs.existsSync(bg) && fs.readFileSync(bg, 'utf8').trim()));
    const doc = await readStatsDoc({ path: path.join(dir, 'stats.sock') });
    expect(doc.daemons?.map((d) => [d.id, d.pid, d.respawns, d.state])).to.deep.equal([[1, first.pid, 1, 'running']]);

    fs.rmSync(bg);
    process.kill(first.pid, 'SIGKILL');
    const second = (await waitUntil('started again', () => starts(dir, 'a').length === 2 && starts(dir, 'a')))[1];
    expect(second.pid).to.not.equal(first.pid);
    // What the killed one left in its process group went with it.
    await waitUntil('the first background child gone', () => !isRunning(sleeper));
    const sleeper2 = Number(await waitUntil('the second background child', () => fs.existsSync(bg) && fs.readFileSync(bg, 'utf8').trim()));
    await s.waitForLog('the exit seen', (l) => l.event === 'daemon-exited' && l.signal === 'SIGKILL');
    await waitUntil('stats: two starts', async () => (await readStatsDoc({ path: path.join(dir, 'stats.sock') })).daemons?.[0].respawns === 2);

    // SIGUSR1: a line for the daemon after the workers'.
    s.child.kill('SIGUSR1');
    const line = await s.waitForLog('daemon-state', (l) => l.event === 'daemon-state');
    expect(line).to.deep.include({ daemon: 1, daemonPid: second.pid, state: 'running', starts: 2 });

    expect(await s.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
    expect(daemonLog(dir, 'a').at(-1)).to.deep.equal({ event: 'term', pid: second.pid });
    for (const pid of [first.pid, second.pid, sleeper, sleeper2]) expect(isRunning(pid), `pid ${pid}`).to.equal(false);
    expect(s.events('daemon-exited').at(-1)).to.deep.include({ daemonPid: second.pid, code: 0 });
    expect(s.unexpectedOutput()).to.deep.equal([]);
  });

  it('a killed master (SIGKILL) leaves no daemon behind', async () => {
    const dir = tempDir();
    const s = await start(dir, { 'attach-daemon': daemonCmd(dir, 'k') });
    const [one] = await waitUntil('the daemon started', () => starts(dir, 'k').length === 1 && starts(dir, 'k'));
    expect(one.ppid).to.equal(s.pid);
    s.kill();
    await s.exited;
    await waitUntil('the daemon gone with its master', () => !isRunning(one.pid));
  });

  it('a reload restarts a plain daemon, signals one with reloadsignal, keeps a smart one; the next master adopts the smart one', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'smart.pid');
    const cmds = [daemonCmd(dir, 'plain'), daemonCmd(dir, 'smart', '--pidfile', pidfile), daemonCmd(dir, 'hup')];
    const ini = {
      stats: `127.0.0.1:${await pickPort()}`, 'stats-http': true,
      'attach-daemon': cmds[0],
      'smart-attach-daemon': `${pidfile},2 ${cmds[1]}`,
      'attach-daemon2': `cmd=${cmds[2]},reloadsignal=HUP`,
    };
    const s = await start(dir, ini);
    const statsUrl = `http://${ini.stats}`;
    await waitUntil('three daemons started', () => ['plain', 'smart', 'hup'].every((n) => starts(dir, n).length === 1));
    const smartPid = starts(dir, 'smart')[0].pid;
    leftRunning.push(smartPid);
    await s.waitForLog('the smart daemon seen through its pidfile', (l) => l.event === 'daemon-pidfile' && l.daemonPid === smartPid);
    const metrics = parsePrometheus((await request(`${statsUrl}/metrics`)).body.toString());
    expect(cmds.map((cmd, i) => promValue(metrics, 'tsuwsgi_daemon_up', { daemon: String(i + 1), cmd }))).to.deep.equal([1, 1, 1]);

    s.child.kill('SIGHUP');
    await s.waitForLog('reload finished', (l) => l.event === 'reload-finished', 30_000);
    await waitUntil('the plain daemon started again', () => starts(dir, 'plain').length === 2);
    expect(daemonLog(dir, 'plain').map((e) => e.event)).to.deep.equal(['start', 'term', 'start']);
    await waitUntil('the reloadsignal daemon got SIGHUP', () => daemonLog(dir, 'hup').some((e) => e.event === 'hup'));
    expect(daemonLog(dir, 'hup').map((e) => e.event)).to.deep.equal(['start', 'hup']);
    expect(daemonLog(dir, 'smart').map((e) => e.event)).to.deep.equal(['start']);
    expect(isRunning(smartPid)).to.equal(true);

    // The master stops: the smart daemon keeps running; a new master adopts it.
    expect(await s.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
    expect(isRunning(smartPid)).to.equal(true);
    expect(s.events('daemon-left-running')).to.have.length(1);
    const again = await start(dir, ini);
    const adopted = await again.waitForLog('adopted', (l) => l.event === 'daemon-pidfile' && l.daemonPid === smartPid);
    expect(adopted.msg).to.match(/found running/);
    expect(starts(dir, 'smart')).to.have.length(1);
    // Killed, it is started again through its pidfile's absence.
    process.kill(smartPid, 'SIGKILL');
    await waitUntil('the smart daemon started again', () => starts(dir, 'smart').length === 2, 15_000);
    const restarted = starts(dir, 'smart')[1].pid;
    leftRunning.push(restarted);
    await again.waitForLog('the new smart pid seen', (l) => l.event === 'daemon-pidfile' && l.daemonPid === restarted, 15_000);
  });

  it('a daemon that keeps dying is started again after 1 s, 2 s, 3 s …, not in a loop', async () => {
    const dir = tempDir();
    const s = await start(dir, { 'attach-daemon': daemonCmd(dir, 'dies', '--exit', '3') });
    await waitUntil('three throttled restarts', () => s.events('daemon-throttled').length >= 3 && s.events('daemon-spawned').length >= 4, 30_000);
    const throttled = s.events('daemon-throttled');
    expect(throttled.slice(0, 3).map((l) => l.delayMs)).to.deep.equal([1000, 2000, 3000]);
    // Each start came no sooner than its delay after the exit before it (a lower bound only).
    const spawned = s.events('daemon-spawned').map((l) => l.time as number);
    const exited = s.events('daemon-exited').map((l) => l.time as number);
    for (let i = 0; i < 3; i++) expect(spawned[i + 1] - exited[i], `start ${i + 2}`).to.be.at.least((throttled[i].delayMs as number) - 5);
    expect(s.events('daemon-exited').every((l: LogLine) => l.code === 3)).to.equal(true);
  });

  it('tsuwsgi top shows the daemons under the workers', async () => {
    const dir = tempDir();
    const stats = path.join(dir, 'stats.sock');
    await start(dir, { stats, 'attach-daemon': daemonCmd(dir, 'top') });
    await waitUntil('the daemon started', () => starts(dir, 'top').length === 1);
    const top = spawnSync(process.execPath, [BIN, 'top', stats], { encoding: 'utf8', timeout: 15_000 });
    expect([top.status, top.stderr]).to.deep.equal([0, '']);
    const lines = top.stdout.trimEnd().split('\n');
    const at = lines.findIndex((l) => l.startsWith('DAEMON'));
    expect(at, top.stdout).to.be.greaterThan(0);
    expect(lines[at + 1].split(/\s+/).slice(0, 4)).to.deep.equal(['1', String(starts(dir, 'top')[0].pid), 'running', '1']);
  });
});

describe('attached daemons as root: the configured uid/gid', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;

  before(function () {
    skipUnless(this, whyNotAsNobody());
  });

  afterEach(async () => {
    if (server !== undefined && server.exit === undefined) {
      server.kill();
      await server.exited;
    }
  });

  it('a root master with uid/gid nobody runs its daemon as nobody:nogroup', async () => {
    const install = installForNobody();
    const dir = openDir();
    fs.chownSync(dir, NOBODY, NOBODY);
    const daemon = path.join(install.root, 'test', 'fixtures', 'daemons', 'daemon.js');
    const port = await pickPort();
    server = startInstalled(dir, {
      'wsgi-file': install.fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${port}`, processes: 1, uid: 'nobody', gid: 'nogroup',
      'attach-daemon': `${install.node} ${daemon} ${dir} nobody`,
    });
    await server.ready();
    const [one] = await waitUntil('the daemon started', () => starts(dir, 'nobody').length === 1 && starts(dir, 'nobody'));
    expect([one.uid, one.gid]).to.deep.equal([NOBODY, NOBODY]);
    const status = fs.readFileSync(`/proc/${one.pid}/status`, 'utf8');
    expect(/^Uid:\s+(.*)$/m.exec(status)?.[1].split(/\s+/)).to.deep.equal(['65534', '65534', '65534', '65534']);
    expect(/^Groups:[ \t]*(.*)$/m.exec(status)?.[1].trim()).to.equal('');
    expect(await server.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
    expect(isRunning(one.pid)).to.equal(false);
  });
});
