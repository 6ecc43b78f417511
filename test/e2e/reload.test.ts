/**
 * Reloads under load through a real nginx: SIGHUP, touch-reload, master FIFO `r` and `c` each
 * replace every worker with one running the changed app file while a client loop of ≥ 2 000
 * requests sees no failure. Plus the FIFO's other commands, SIGTTIN/SIGTTOU, an aborted chain
 * reload and the ini re-read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { serveBehindNginx, keepLoading, reportLoad, type BehindNginx, type LoadResult } from '../support/behind-nginx';

const appSource = (version: string): string =>
  `module.exports = (req, res) => res.end('${version}:' + process.pid);\n`;

interface Served extends BehindNginx {
  app: string;
  fifo: string;
  touch: string;
  chainTouch: string;
}

async function serve(processes = 2, extra: Record<string, string | number | boolean> = {}): Promise<Served> {
  const dir = tempDir();
  const app = path.join(dir, 'app.js');
  fs.writeFileSync(app, appSource('v1'));
  const fifo = path.join(dir, 'master.fifo');
  const touch = path.join(dir, 'reload.touch');
  const chainTouch = path.join(dir, 'chain.touch');
  fs.writeFileSync(touch, '');
  fs.writeFileSync(chainTouch, '');
  const served = await serveBehindNginx(
    {
      'wsgi-file': app, processes, vacuum: true, 'disable-logging': true,
      'master-fifo': fifo, 'touch-reload': touch, 'touch-chain-reload': chainTouch, ...extra,
    },
    dir,
  );
  return { ...served, app, fifo, touch, chainTouch };
}

function command(fifo: string, letter: string): void {
  fs.writeFileSync(fifo, letter);
}

describe('reloads under load, through nginx', function () {
  this.timeout(120_000);
  let s: Served | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const kinds: { name: string; kind: 'graceful' | 'chain'; trigger: (x: Served) => void }[] = [
    { name: 'SIGHUP', kind: 'graceful', trigger: (x) => process.kill(x.server.pid, 'SIGHUP') },
    { name: 'touch-reload', kind: 'graceful', trigger: (x) => fs.utimesSync(x.touch, new Date(), new Date(Date.now() + 5000)) },
    { name: 'master fifo r', kind: 'graceful', trigger: (x) => command(x.fifo, 'r') },
    { name: 'master fifo w (workers only)', kind: 'graceful', trigger: (x) => command(x.fifo, 'w') },
    { name: 'master fifo c (chain)', kind: 'chain', trigger: (x) => command(x.fifo, 'c') },
    { name: 'touch-chain-reload', kind: 'chain', trigger: (x) => fs.utimesSync(x.chainTouch, new Date(), new Date(Date.now() + 5000)) },
  ];

  // With accept turns: two of four workers accept while the others wait, old and new side by side during the reload.
  const turns = { processes: 4, extra: { 'accepting-workers': 2 } };
  const cases = [
    ...kinds.map((k) => ({ ...k, processes: 2, extra: {} })),
    { ...kinds[0]!, name: 'SIGHUP with accept turns (4 workers, 2 accepting)', ...turns },
    { ...kinds[4]!, name: 'master fifo c with accept turns (4 workers, 2 accepting)', ...turns },
  ];

  for (const k of cases) {
    it(`${k.name}: 0 failed requests of ≥ 2000, the changed app is served, every worker pid changed`, async () => {
      s = await serve(k.processes, k.extra);
      const x = s;
      const before = x.server.workerPids();
      expect(before).to.have.length(k.processes);
      let triggered = false;
      const finished = (): boolean => x.server.events('reload-finished').length > 0;
      const live: LoadResult = { ok: 0, failures: [], bodies: [] };
      const loop = keepLoading(`${x.nginx.url}/`, 2000, () => triggered && finished(), 60_000, { live });
      await waitUntil('some requests served before the reload', () => live.ok >= 50, 10_000);
      fs.writeFileSync(x.app, appSource('v2'));
      k.trigger(x);
      triggered = true;
      const result = await loop;
      reportLoad(k.name, result);
      expect(result.failures, result.failures.slice(0, 5).join('\n')).to.deep.equal([]);
      expect(result.ok).to.be.at.least(2000);
      expect([...new Set(result.bodies.map((b) => b.split(':')[0]))].sort()).to.deep.equal(['v1', 'v2']);
      expect(result.bodies[result.bodies.length - 1].startsWith('v2:')).to.equal(true);
      const done = x.server.events('reload-finished')[0];
      expect(done.kind).to.equal(k.kind);
      const after = x.server.workerPids();
      expect(after).to.have.length(k.processes);
      for (const pid of after) expect(before).to.not.include(pid);
    });
  }

  it('a chain reload whose new worker cannot load the app stops there; the old workers keep serving', async () => {
    s = await serve(2);
    const before = s.server.workerPids().sort();
    fs.writeFileSync(s.app, 'module.exports = ; // syntax error\n');
    command(s.fifo, 'c');
    const aborted = await s.server.waitForLog('reload-aborted', (l) => l.event === 'reload-aborted');
    expect(aborted.msg).to.match(/chain reload aborted, the running workers keep serving/);
    const r = await request(`${s.nginx.url}/`);
    expect(r.status).to.equal(200);
    expect(r.body.toString()).to.match(/^v1:/);
    await waitUntil('the failed worker to be gone', () => s!.server.workerPids().length === 2, 5000);
    expect(s.server.workerPids().sort()).to.deep.equal(before);
  });

  it('re-reads the ini on reload: processes 2 → 3 applies, a changed socket is reported as needing a restart', async () => {
    s = await serve(2);
    const ini = fs.readFileSync(s.server.iniPath, 'utf8');
    fs.writeFileSync(s.server.iniPath, ini.replace(/^processes = 2$/m, 'processes = 3').replace(/^socket = .*$/m, 'socket = 127.0.0.1:1'));
    process.kill(s.server.pid, 'SIGHUP');
    await s.server.waitForLog('reload-finished', (l) => l.event === 'reload-finished');
    expect(s.server.workerPids()).to.have.length(3);
    const warn = s.server.events('restart-needed')[0];
    expect(warn.options).to.deep.equal(['socket']);
    expect((await request(`${s.nginx.url}/`)).status).to.equal(200);
  });

  it('SIGTTIN / SIGTTOU and fifo + / - add and remove one worker, never below one', async () => {
    s = await serve(1);
    process.kill(s.server.pid, 'SIGTTIN');
    await waitUntil('2 workers', () => s!.server.workerPids().length === 2, 10_000);
    command(s.fifo, '+');
    await waitUntil('3 workers', () => s!.server.workerPids().length === 3, 10_000);
    process.kill(s.server.pid, 'SIGTTOU');
    command(s.fifo, '-');
    await waitUntil('1 worker', () => s!.server.workerPids().length === 1, 10_000);
    command(s.fifo, '-');
    await s.server.waitForLog('refusal to go below one', (l) => l.event === 'scale' && /already at one worker/.test(String(l.msg)));
    expect(s.server.workerPids()).to.have.length(1);
    expect((await request(`${s.nginx.url}/`)).status).to.equal(200);
  });

  it('fifo: an unknown command is logged and ignored, s logs the workers, q stops gracefully and vacuum removes the fifo', async () => {
    s = await serve(2);
    command(s.fifo, 'x');
    await s.server.waitForLog('unknown command', (l) => l.event === 'unknown-command' && l.command === 'x');
    command(s.fifo, 's');
    await waitUntil('two worker-state lines', () => s!.server.events('worker-state').length === 2, 5000);
    command(s.fifo, 'q');
    const exit = await s.server.exited;
    expect(exit.code).to.equal(0);
    expect(fs.existsSync(s.fifo)).to.equal(false);
  });

  it('fifo Q stops at once with the interrupted exit code', async () => {
    s = await serve(1);
    command(s.fifo, 'Q');
    const exit = await s.server.exited;
    expect(exit.code).to.equal(130);
  });
});

