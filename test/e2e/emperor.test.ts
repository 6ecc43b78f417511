/**
 * The Emperor with real vassals behind one real nginx (a server block and a unix socket per
 * vassal): both serve; touching one reloads it under a client loop with no failed request
 * while the other keeps every pid; a socket change restarts; removing a file stops its vassal
 * and its socket goes; a new file starts one; SIGHUP reloads all; SIGTERM stops everything
 * gracefully (an in-flight request finishes), exit 0, no process left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request, text } from '../support/http';
import { keepLoading, reportLoad } from '../support/behind-nginx';
import { tempDir } from '../support/tmp';
import { isAlive, waitUntil } from '../support/wait';
import { exchange } from '../support/uwsgi-client';
import { readStatsDoc } from '../support/stats';
import { encodePacket } from '../../src/protocol';
import { killSeen, processTree, rememberTree, runCli, startEmperor, writeVassal, type EmperorRun } from '../support/emperor';

const APP = fixtureApp('echo.js');

/** One nginx, one server block per vassal name on its own port, each to `<name>.sock`. */
async function nginxFor(dir: string, names: string[]): Promise<{ nginx: Nginx; url: Record<string, string> }> {
  const ports = await Promise.all(names.slice(1).map(() => pickPort()));
  const blocks = names.slice(1).map((n, i) => `server { listen 127.0.0.1:${ports[i]}; location / { include /etc/nginx/uwsgi_params; uwsgi_pass unix:${path.join(dir, `${n}.sock`)}; } }`);
  const nginx = await startNginx({ upstream: `unix:${path.join(dir, `${names[0]}.sock`)}`, http: blocks.join('\n') });
  const url: Record<string, string> = { [names[0]]: nginx.url };
  names.slice(1).forEach((n, i) => (url[n] = `http://127.0.0.1:${ports[i]}`));
  return { nginx, url };
}

describe('the Emperor: vassals behind one nginx', function () {
  this.timeout(180_000);
  let run: EmperorRun | undefined;
  let nginx: Nginx | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    if (run !== undefined && run.emperor.exit === undefined) {
      run.emperor.child.kill('SIGKILL');
      await run.emperor.exited;
    }
    killSeen();
    run = undefined;
  });

  /** Vassal `name`: the echo app on `<dir>/<name>.sock`, telling its name through /env. */
  function vassal(r: EmperorRun, name: string, more: Record<string, string | number | boolean> = {}): string {
    return writeVassal(r, `${name}.ini`, { 'wsgi-file': APP, socket: path.join(r.dir, `${name}.sock`), 'chmod-socket': 666, env: `VASSAL=${name}`, processes: 2, 'disable-logging': true, ...more });
  }

  it('two vassals serve; touching one reloads it under load with 0 failed requests while the other keeps its pids', async () => {
    const dir = tempDir();
    // vassals-include gives every vassal vacuum and its own stats socket (%n: the vassal's name).
    fs.writeFileSync(path.join(dir, 'common.ini'), `[uwsgi]\nvacuum = true\nstats = ${dir}/%n.stats\n`);
    // emperor-freq 600: every change below is seen through inotify, not the periodic rescan.
    run = startEmperor(dir, ['--vassals-include', path.join(dir, 'common.ini'), '--emperor-freq', '600']);
    const r = run;
    vassal(r, 'a');
    vassal(r, 'b');
    const front = await nginxFor(dir, ['a', 'b', 'c']);
    nginx = front.nginx;
    const a1 = await r.waitVassal('a.ini', 'running', (v) => v.state === 'running');
    const b1 = await r.waitVassal('b.ini', 'running', (v) => v.state === 'running');
    expect(await text(`${front.url.a}/env?name=VASSAL`)).to.equal('a');
    expect(await text(`${front.url.b}/env?name=VASSAL`)).to.equal('b');
    expect([a1.stats, b1.stats]).to.deep.equal([path.join(dir, 'a.stats'), path.join(dir, 'b.stats')]);
    expect([a1.starts, a1.ready, b1.starts]).to.deep.equal([1, 1, 1]);
    const aTree = rememberTree(a1.pid);
    const bTree = rememberTree(b1.pid);
    expect(aTree.length).to.equal(3);
    expect(bTree.length).to.equal(3);

    // touch a.ini under a client loop through nginx.
    const live = { ok: 0, failures: [] as string[], bodies: [] as string[] };
    let reloaded = false;
    const loading = keepLoading(`${front.url.a}/env?name=VASSAL`, 2000, () => reloaded, 120_000, { live });
    await waitUntil('some load on a', () => live.ok > 50);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(r.vassals, 'a.ini'), later, later);
    await r.waitVassal('a.ini', 'reloaded', () => r.events('a.ini', 'vassal-reloaded').length === 1, 60_000);
    const aAfter = await r.waitVassal('a.ini', 'running', (v) => v.state === 'running');
    await waitUntil('load after the reload', () => live.ok > 2200);
    reloaded = true;
    const load = await loading;
    reportLoad('emperor: touch a vassal under load', load);
    expect(load.failures).to.deep.equal([]);
    expect(new Set(load.bodies)).to.deep.equal(new Set(['a']));
    // a: same master, new workers (its own zero-downtime reload); b: every pid the same.
    expect(aAfter.pid).to.equal(a1.pid);
    expect(aAfter.starts).to.equal(1);
    const aWorkersAfter = rememberTree(a1.pid).slice(1);
    expect(aWorkersAfter.filter((p) => aTree.includes(p))).to.deep.equal([]);
    expect(processTree(b1.pid)).to.deep.equal(bTree);
    expect((await r.vassal('b.ini'))?.starts).to.equal(1);
    expect(r.events('b.ini', 'vassal-reload')).to.deep.equal([]);

    // Remove b.ini: b stops gracefully (exit 0), its socket goes (vacuum), a is untouched.
    fs.rmSync(path.join(r.vassals, 'b.ini'));
    await waitUntil('b gone from the table', async () => (await r.doc()).vassals.every((v) => v.id !== 'b.ini'));
    await waitUntil('b\'s exit logged', () => r.events('b.ini', 'vassal-exited').length > 0);
    expect(r.events('b.ini', 'vassal-exited').map((l) => [l.code, l.signal])).to.deep.equal([[0, null]]);
    for (const pid of bTree) expect(isAlive(pid), `b's pid ${pid}`).to.equal(false);
    expect(fs.existsSync(path.join(dir, 'b.sock'))).to.equal(false);
    expect((await request(`${front.url.b}/`)).status).to.equal(502);
    expect(await text(`${front.url.a}/env?name=VASSAL`)).to.equal('a');

    // Add c.ini: it starts and serves.
    vassal(r, 'c');
    const c1 = await r.waitVassal('c.ini', 'running', (v) => v.state === 'running');
    rememberTree(c1.pid);
    expect(await text(`${front.url.c}/env?name=VASSAL`)).to.equal('c');
    expect((await r.doc()).vassals.map((v) => [v.id, v.state])).to.deep.equal([['a.ini', 'running'], ['c.ini', 'running']]);

    // tsuwsgi top on the Emperor's address: the vassal table; --vassal a.ini: a's workers.
    const table = await runCli(['top', r.stats]);
    expect([table.code, table.stderr]).to.deep.equal([0, '']);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).to.match(/^tsuwsgi emperor .*2 vassal\(s\): 2 running/);
    expect(rows.filter((l) => /^[ac]\.ini\s+running\s+\d+/.test(l))).to.have.length(2);
    expect(rows.find((l) => l.startsWith('a.ini'))).to.include(path.join(dir, 'a.stats'));
    const one = await runCli(['top', r.stats, '--vassal', 'a.ini']);
    expect([one.code, one.stderr]).to.deep.equal([0, '']);
    expect(one.stdout.split('\n')[0]).to.match(new RegExp(`^tsuwsgi .*master ${a1.pid} .*2 worker\\(s\\)`));

    // SIGTERM: a request in flight on c finishes; every vassal drains; exit 0; nothing left.
    const trees = [...rememberTree(a1.pid), ...rememberTree(c1.pid), r.emperor.pid];
    const slow = request(`${front.url.c}/slow?ms=1500`);
    await waitUntil('the slow request in flight in c', async () => (await readStatsDoc({ path: path.join(dir, 'c.stats') })).load > 0);
    const exit = await r.emperor.stop('SIGTERM', 60_000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    const answered = await slow;
    expect([answered.status, answered.body.toString()]).to.deep.equal([200, 'slow done']);
    for (const pid of trees) expect(isAlive(pid), `pid ${pid} after the Emperor's exit`).to.equal(false);
    for (const f of ['a.sock', 'c.sock', 'a.stats', 'c.stats', 'emperor.stats']) expect(fs.existsSync(path.join(dir, f)), f).to.equal(false);
    const stopped = r.emperor.events('vassal-exited').filter((l) => l.role === 'emperor').slice(-2);
    expect(stopped.map((l) => l.code)).to.deep.equal([0, 0]);
  });

  it('a socket change restarts the vassal on the new socket; SIGHUP reloads every vassal; SIGUSR1 logs them, SIGUSR2 reaches them', async () => {
    const dir = tempDir();
    run = startEmperor(dir);
    const r = run;
    vassal(r, 'a', { vacuum: true });
    vassal(r, 'b', { vacuum: true, logto: path.join(dir, 'b.log') });
    const a1 = await r.waitVassal('a.ini', 'running', (v) => v.state === 'running');
    const b1 = await r.waitVassal('b.ini', 'running', (v) => v.state === 'running');
    rememberTree(a1.pid);

    // The file now names another socket: a reload would keep the old one (the master binds at
    // start), so the Emperor restarts the vassal.
    vassal(r, 'a', { vacuum: true, socket: path.join(dir, 'a2.sock') });
    const a2 = await r.waitVassal('a.ini', 'restarted', (v) => v.state === 'running' && v.pid !== a1.pid);
    rememberTree(a2.pid);
    expect(a2.starts).to.equal(2);
    expect(r.events('a.ini', 'vassal-restart').map((l) => l.options)).to.deep.equal([['socket']]);
    expect(fs.existsSync(path.join(dir, 'a.sock'))).to.equal(false);
    expect(await uwsgiGet(path.join(dir, 'a2.sock'), '/env?name=VASSAL')).to.equal('a');

    // SIGHUP: both reload (same masters), and report it.
    process.kill(r.emperor.pid, 'SIGHUP');
    await r.waitVassal('b.ini', 'reloaded', () => r.events('b.ini', 'vassal-reloaded').length === 1, 30_000);
    await r.waitVassal('a.ini', 'reloaded', () => r.events('a.ini', 'vassal-reloaded').length === 1, 30_000);
    const doc = await r.doc();
    expect(doc.vassals.map((v) => [v.id, v.state, v.pid])).to.deep.equal([['a.ini', 'running', a2.pid], ['b.ini', 'running', b1.pid]]);

    // SIGUSR1: one line per vassal. SIGUSR2 (logrotate's postrotate): b reopens its logto.
    process.kill(r.emperor.pid, 'SIGUSR1');
    await waitUntil('the vassal table in the log', () => r.emperor.events('vassal-status').length === 2);
    expect(r.emperor.events('vassal-status').map((l) => [l.vassal, l.state, l.pid])).to.deep.equal([
      [path.join(r.vassals, 'a.ini'), 'running', a2.pid], [path.join(r.vassals, 'b.ini'), 'running', b1.pid],
    ]);
    fs.renameSync(path.join(dir, 'b.log'), path.join(dir, 'b.log.1'));
    process.kill(r.emperor.pid, 'SIGUSR2');
    await waitUntil('b.log reopened', () => fs.existsSync(path.join(dir, 'b.log')) && fs.readFileSync(path.join(dir, 'b.log'), 'utf8').includes('"event":"log-reopened"'));
    expect(await r.emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
  });

  it('a vassal whose app fails to load is throttled, reported failed, not restarted in a loop; fixing its file starts it at once', async () => {
    const dir = tempDir();
    const throttle = 700;
    run = startEmperor(dir, ['--emperor-throttle', String(throttle)]);
    const r = run;
    vassal(r, 'good');
    writeVassal(r, 'bad.ini', { 'wsgi-file': fixtureApp('broken.js'), socket: path.join(dir, 'bad.sock') });
    await r.waitVassal('good.ini', 'running', (v) => v.state === 'running');
    const failed = await r.waitVassal('bad.ini', 'failed after several starts', (v) => v.state === 'failed' && v.starts >= 3, 60_000);
    expect(failed.last_exit).to.deep.include({ code: 4, signal: null });
    expect(failed.strikes).to.be.at.least(2);
    expect(failed.ready).to.equal(0);
    expect(r.events('bad.ini', 'vassal-failing').length).to.be.at.least(1);
    // Each start after an exit waited strikes x emperor-throttle: 1x, 2x, 3x ... (a hot loop would not).
    const starts = r.events('bad.ini', 'vassal-started').map((l) => Number(l.time));
    const exits = r.events('bad.ini', 'vassal-exited').map((l) => Number(l.time));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - exits[i - 1], `wait before start ${i + 1}`).to.be.at.least(i * throttle - 50);
    // The good one never noticed.
    expect((await r.vassal('good.ini'))?.starts).to.equal(1);

    // Fix the file: it starts at once (no throttle), strikes cleared.
    const before = (await r.vassal('bad.ini'))?.starts ?? 0;
    writeVassal(r, 'bad.ini', { 'wsgi-file': APP, socket: path.join(dir, 'bad.sock') });
    const fixed = await r.waitVassal('bad.ini', 'running once fixed', (v) => v.state === 'running', 30_000);
    expect(fixed.starts).to.equal(before + 1);
    expect(fixed.strikes).to.equal(0);
    rememberTree(fixed.pid);
    expect(await r.emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
  });

  it('waits on an empty directory; a glob over directories finds a vassal in a directory made later', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'apps'));
    run = startEmperor(dir, ['--emperor', path.join(dir, 'apps/*/vassal.ini'), '--emperor-freq', '1']);
    const r = run;
    await waitUntil('the Emperor\'s stats', () => fs.existsSync(r.stats));
    // Two rescans later it is still there, with nothing to run.
    await new Promise((res) => setTimeout(res, 2500));
    expect(r.emperor.exit).to.equal(undefined);
    expect((await r.doc()).vassals).to.deep.equal([]);
    fs.mkdirSync(path.join(dir, 'apps', 'shop'));
    writeVassal({ vassals: path.join(dir, 'apps', 'shop') }, 'vassal.ini', { 'wsgi-file': APP, socket: path.join(dir, 'shop.sock') });
    vassal(r, 'plain');
    const shop = await r.waitVassal('vassal.ini', 'running', (v) => v.state === 'running');
    expect(shop.config).to.equal(path.join(dir, 'apps', 'shop', 'vassal.ini'));
    const plain = await r.waitVassal('plain.ini', 'running', (v) => v.state === 'running');
    rememberTree(shop.pid);
    rememberTree(plain.pid);
    expect((await r.doc()).emperor).to.deep.equal([path.join(dir, 'vassals'), path.join(dir, 'apps/*/vassal.ini')]);
    expect(await r.emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
  });

  it('SIGINT stops every vassal now (exit 130); a killed Emperor\'s vassals stop by themselves', async () => {
    const dir = tempDir();
    run = startEmperor(dir);
    vassal(run, 'a');
    const a = await run.waitVassal('a.ini', 'running', (v) => v.state === 'running');
    const tree = rememberTree(a.pid);
    expect(await run.emperor.stop('SIGINT', 30_000)).to.deep.equal({ code: 130, signal: null });
    for (const pid of tree) expect(isAlive(pid)).to.equal(false);

    const dir2 = tempDir();
    run = startEmperor(dir2);
    vassal(run, 'a');
    const a2 = await run.waitVassal('a.ini', 'running', (v) => v.state === 'running');
    const tree2 = rememberTree(a2.pid);
    run.emperor.child.kill('SIGKILL');
    await run.emperor.exited;
    await waitUntil('the orphaned vassal to stop', () => tree2.every((pid) => !isAlive(pid)), 30_000);
  });
});

/** A GET on a vassal's uwsgi socket, straight (no nginx): the response's body. */
async function uwsgiGet(socketPath: string, uri: string): Promise<string> {
  const [pathInfo, query = ''] = uri.split('?');
  const answer = await exchange({ path: socketPath }, [encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: pathInfo, QUERY_STRING: query, SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'x' })]);
  const t = answer.toString();
  expect(t.split('\r\n')[0]).to.match(/^HTTP\/1\.[01] 200 /);
  return t.slice(t.indexOf('\r\n\r\n') + 4);
}
