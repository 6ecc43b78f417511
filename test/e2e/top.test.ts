/** `tsuwsgi top`: checked under a real terminal (a private tmux server), and as a plain snapshot. */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { BIN, fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';

const TMUX = '/usr/bin/tmux';

function tmux(socketName: string, ...args: string[]): string {
  return execFileSync(TMUX, ['-L', socketName, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
}

function sessionAlive(socketName: string): boolean {
  try {
    tmux(socketName, 'has-session', '-t', 'top');
    return true;
  } catch {
    return false;
  }
}

function run(args: string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsuwsgi ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tsuwsgi top', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let tmuxName: string | undefined;
  let app = '';
  let statsPath = '';
  let load: Promise<unknown>[] = [];

  beforeEach(async () => {
    const dir = tempDir();
    statsPath = path.join(dir, 'stats.sock');
    const port = await pickPort();
    server = startServer({ dir, ini: { 'wsgi-file': fixtureApp('echo.js'), 'http-socket': `127.0.0.1:${port}`, processes: 2, threads: 2, 'disable-logging': true, stats: statsPath } });
    await server.ready();
    app = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    if (tmuxName !== undefined) {
      try {
        tmux(tmuxName, 'kill-server');
      } catch {
        // Already gone with its only session.
      }
      tmuxName = undefined;
    }
    // At once (SIGINT) when a request is still in flight: the first test's slow request lasts
    // 8 s for the screen's sake and would otherwise be waited for, ~6 s after the test ended.
    await server?.stop(load.length > 0 ? 'SIGINT' : 'SIGTERM');
    server = undefined;
    await Promise.allSettled(load);
    load = [];
  });

  it('shows a live screen of a server under load in a terminal, re-sorts on a key, quits on q', async () => {
    for (let i = 0; i < 5; i++) await request(`${app}/`);
    load = [request(`${app}/slow?ms=8000`)];
    tmuxName = `tsuwsgi-top-${process.pid}`;
    tmux(tmuxName, 'new-session', '-d', '-s', 'top', '-x', '160', '-y', '40', `${process.execPath} ${BIN} top ${statsPath}`);
    const capture = () => tmux(tmuxName as string, 'capture-pane', '-p', '-t', 'top');
    // A second refresh gives the rates; the slow request is then about 2 s old.
    const screen = await waitUntil('a screen with rates and the slow request', () => {
      const text = capture();
      return /req\/s \d/.test(text) && text.includes('GET /slow (') ? text : undefined;
    }, 10_000, 200);
    const lines = screen.split('\n');
    expect(lines[0]).to.match(/^tsuwsgi \d+\.\d+\.\d+ {2}\| {2}master \d+ {2}\| {2}up \d+s {2}\| {2}2 worker\(s\) {2}\| {2}req\/s [\d.]+ {2}\| {2}in flight 1 {2}\| {2}listen queue 0\/1024/);
    expect(lines[1]).to.include('sorted by worker id');
    expect(lines.some((l) => /^WID\s+PID\s+STATUS\s+REQ\s+REQ\/S\s+AVG ms\s+RSS MiB/.test(l))).to.equal(true);
    const workerRows = lines.filter((l) => /^\d\s+\d+\s+(idle|busy)\s+\d+/.test(l));
    expect(workerRows).to.have.length(2);
    expect(workerRows.filter((l) => /\sbusy\s/.test(l))).to.have.length(1);
    expect(lines.filter((l) => /^\s+\d\.\d\s+(idle|busy)/.test(l))).to.have.length(4);
    // Method and path only: the query string stays out of the stats unless stats-vars is set.
    expect(lines.find((l) => l.includes('GET /slow ('))).to.match(/^\s+\d\.\d\s+busy\s+\d+\s+[\d.]+\s+GET \/slow \(\d+s\)$/);

    tmux(tmuxName, 'send-keys', '-t', 'top', 'm');
    await waitUntil('sorted by memory', () => capture().includes('sorted by memory (RSS)'), 5000, 100);
    tmux(tmuxName, 'send-keys', '-t', 'top', 'q');
    // The session's only command exits, so the session ends: top quit and gave the terminal back.
    await waitUntil('top to exit on q', () => !sessionAlive(tmuxName as string), 5000, 100);
  });

  it('prints one plain snapshot and exits 0 when stdout is not a terminal', async () => {
    await request(`${app}/`);
    const r = await run(['top', statsPath]);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.not.include('\x1b');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^tsuwsgi .* 2 worker\(s\) .* req\/s -/);
    expect(lines.filter((l) => /^\d\s+\d+\s+idle\s+\d+/.test(l))).to.have.length(2);
  });

  it('fails with one line and exit 5 when the address cannot be read', async () => {
    const r = await run(['top', path.join(tempDir(), 'nothing.sock')]);
    expect(r.code).to.equal(5);
    expect(r.stderr).to.match(/^tsuwsgi: stats \S+nothing\.sock: ENOENT\n$/);
    expect(r.stdout).to.equal('');
  });
});
