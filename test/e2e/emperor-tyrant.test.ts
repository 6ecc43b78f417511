/**
 * A root Emperor and the owners of its vassal files (emperor-tyrant): a file owned by nobody
 * runs as nobody from its first instruction (read in /proc), one owned by root runs as root
 * and drops to the uid it names, a world-writable one and a symlink are refused with one line,
 * and a nobody-owned file naming uid root cannot get it. Without tyrant, a file not owned by
 * root is refused. Root only (the suite fails elsewhere, like the other privilege suites).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { NOBODY, credsOf, installForNobody, openDir, whyNotAsNobody } from '../support/nobody-install';
import { skipUnless } from '../support/skip';
import { idsOf, killSeen, rememberTree, startEmperor, writeVassal, type EmperorRun } from '../support/emperor';
import { request } from '../support/http';
import { pickPort } from '../support/server';
import { waitUntil } from '../support/wait';

describe('the Emperor as root: emperor-tyrant and the vassal files it refuses', function () {
  this.timeout(120_000);
  let run: EmperorRun | undefined;

  before(function () {
    skipUnless(this, whyNotAsNobody());
  });

  afterEach(async () => {
    if (run !== undefined && run.emperor.exit === undefined) {
      run.emperor.child.kill('SIGKILL');
      await run.emperor.exited;
    }
    killSeen();
    run = undefined;
  });

  /** A directory nobody owns, for the sockets of vassals that run as nobody. */
  function nobodyDir(dir: string): string {
    const d = path.join(dir, 'run');
    fs.mkdirSync(d, { mode: 0o755 });
    fs.chownSync(d, NOBODY, NOBODY);
    return d;
  }

  it('each vassal runs as its file\'s owner; root\'s file drops to the uid it names; unsafe files are refused', async () => {
    const install = installForNobody();
    const dir = openDir();
    const sockets = nobodyDir(dir);
    run = startEmperor(dir, ['--emperor-tyrant'], { bin: install.bin, node: install.node });
    const r = run;
    const app = install.fixtureApp('echo.js');
    const [p1, p2] = [await pickPort(), await pickPort()];

    const mine = writeVassal(r, 'mine.ini', { 'wsgi-file': app, 'http-socket': `127.0.0.1:${p1}`, socket: path.join(sockets, 'mine.sock') });
    fs.chownSync(mine, NOBODY, NOBODY);
    writeVassal(r, 'root.ini', { 'wsgi-file': app, 'http-socket': `127.0.0.1:${p2}`, uid: 'nobody' });
    const open = writeVassal(r, 'open.ini', { 'wsgi-file': app, socket: path.join(sockets, 'open.sock') });
    fs.chmodSync(open, 0o666);
    fs.symlinkSync(path.join(r.vassals, 'root.ini'), path.join(r.vassals, 'link.ini'));
    const greedy = writeVassal(r, 'greedy.ini', { 'wsgi-file': app, socket: path.join(sockets, 'greedy.sock'), uid: 'root' });
    fs.chownSync(greedy, NOBODY, NOBODY);

    const m = await r.waitVassal('mine.ini', 'running', (v) => v.state === 'running');
    expect([m.uid, m.gid]).to.deep.equal([NOBODY, NOBODY]);
    const tree = rememberTree(m.pid);
    expect(tree.length).to.equal(2);
    // The vassal's master and its worker: nobody from the start (real, effective, saved, fs ids), no groups.
    for (const pid of tree) {
      const creds = credsOf(`/proc/${pid}/status`);
      expect(creds, `pid ${pid}`).to.deep.equal({ uid: [NOBODY, NOBODY, NOBODY, NOBODY], gid: [NOBODY, NOBODY, NOBODY, NOBODY], groups: [] });
    }
    expect((await request(`http://127.0.0.1:${p1}/`)).body.toString()).to.equal('hello');

    // root's file: started as root (uid null in the document), its master drops to nobody itself.
    const rt = await r.waitVassal('root.ini', 'running', (v) => v.state === 'running');
    expect([rt.uid, rt.gid]).to.deep.equal([null, null]);
    rememberTree(rt.pid);
    await waitUntil('root.ini\'s master dropped to nobody', () => idsOf(rt.pid).uid === NOBODY);
    expect((await request(`http://127.0.0.1:${p2}/`)).body.toString()).to.equal('hello');

    for (const [name, why] of [['open.ini', /group- or world-writable \(mode 666\)/], ['link.ini', /is a symlink/]] as const) {
      const v = await r.waitVassal(name, 'refused', (x) => x.state === 'refused');
      expect([v.starts, v.pid], name).to.deep.equal([0, 0]);
      expect(v.reason, name).to.match(why);
      expect(r.events(name, 'vassal-refused').map((l) => l.code), name).to.deep.equal(['E_VASSAL_REFUSED']);
    }

    // nobody's file asking for uid root: its master runs as nobody and cannot switch (E_PRIVILEGES, exit 3).
    const g = await r.waitVassal('greedy.ini', 'failing', (v) => v.last_exit !== null && v.state !== 'loading');
    expect(g.last_exit?.code).to.equal(3);
    expect([g.uid, g.ready]).to.deep.equal([NOBODY, 0]);

    // The world-writable file made safe: it starts at once (here as root, its owner).
    fs.chmodSync(open, 0o644);
    fs.chownSync(open, NOBODY, NOBODY);
    const fixed = await r.waitVassal('open.ini', 'running once fixed', (v) => v.state === 'running');
    expect([fixed.uid, fixed.reason]).to.deep.equal([NOBODY, null]);
    rememberTree(fixed.pid);
    expect(await r.emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
  });

  it('without emperor-tyrant a root Emperor starts only root\'s files; emperor-tyrant without root is refused', async () => {
    const install = installForNobody();
    const dir = openDir();
    run = startEmperor(dir, [], { bin: install.bin, node: install.node });
    const users = writeVassal(run, 'users.ini', { 'wsgi-file': install.fixtureApp('echo.js'), socket: path.join(dir, 'users.sock') });
    fs.chownSync(users, NOBODY, NOBODY);
    const v = await run.waitVassal('users.ini', 'refused', (x) => x.state === 'refused');
    expect(v.reason).to.match(/owned by uid 65534, not root.*emperor-tyrant/);
    expect(await run.emperor.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });

    // As nobody, tyrant mode cannot work: one line, exit 3, before any vassal starts.
    const vassals = path.join(dir, 'vassals');
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('/usr/bin/setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--', install.node, install.bin, '--emperor', vassals, '--emperor-tyrant'], { encoding: 'utf8', timeout: 30_000, cwd: dir });
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal(`tsuwsgi: emperor-tyrant: the Emperor runs as uid ${NOBODY}, and only root can start each vassal as its file's owner\n`);
  });

  it('refuses to start as root from a vassal directory, or with a vassals-include file, another user can change', async () => {
    const install = installForNobody();
    const dir = openDir();
    const vassals = path.join(dir, 'vassals');
    fs.mkdirSync(vassals);
    fs.chownSync(vassals, NOBODY, NOBODY);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(install.node, [install.bin, '--emperor', vassals], { encoding: 'utf8', timeout: 30_000, cwd: dir });
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(new RegExp(`^tsuwsgi: emperor ${vassals}: refusing to start vassals as root from there: ${vassals} is writable by a user other than root`));

    // Root's vassal directory, but a template nobody owns: it would reach every root vassal.
    fs.chownSync(vassals, 0, 0);
    const common = path.join(dir, 'common.ini');
    fs.writeFileSync(common, '[uwsgi]\nenv = NODE_OPTIONS=--require /tmp/x.js\n');
    fs.chownSync(common, NOBODY, NOBODY);
    const t = spawnSync(process.execPath, [install.bin, '--emperor', vassals, '--vassals-include', common], { encoding: 'utf8', timeout: 30_000, cwd: dir });
    expect(t.status).to.equal(3);
    expect(t.stderr).to.equal(`tsuwsgi: vassals-include ${common}: refusing, as root: it is owned by uid ${NOBODY}, not root, and every vassal reads it, root's too\n`);
  });
});
