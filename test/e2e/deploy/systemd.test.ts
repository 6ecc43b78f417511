/**
 * deploy/systemd: the unit files checked by systemd's own `systemd-analyze verify`, and run
 * the way systemd would run them, with Debian's `systemd-socket-activate` owning the socket
 * (LISTEN_FDS / LISTEN_PID, as tsuwsgi.socket does) and a datagram socket the test creates as
 * NOTIFY_SOCKET (as for Type=notify). deploy/nginx/single-host.conf sits in front.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { adaptSite, deployFile, nginxTest, parseUnitFile, socketActivate, startNotifyReceiver, startSiteNginx, type NotifyReceiver, type SiteNginx } from '../../support/deploy';
import { BIN, fixtureApp, pickPort, REPO, ServerProcess, writeIni } from '../../support/server';
import { keepLoading, reportLoad } from '../../support/behind-nginx';
import { request } from '../../support/http';
import { exchange } from '../../support/uwsgi-client';
import { encodePacket } from '../../../src/protocol';
import { tempDir } from '../../support/tmp';
import { waitUntil } from '../../support/wait';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const service = parseUnitFile(deployFile('systemd/tsuwsgi.service'));
const socketUnit = parseUnitFile(deployFile('systemd/tsuwsgi.socket'));

function key(unit: Map<string, Map<string, string[]>>, section: string, name: string): string | undefined {
  return unit.get(section)?.get(name)?.at(-1);
}

function iniValue(text: string, name: string): string | undefined {
  const m = new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(text);
  return m?.[1];
}

function uwsgiGet(uri: string): Buffer {
  return encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'x' });
}

/** The state changes (READY=1, RELOADING=1, STOPPING=1) received after message `from`, in order. */
function states(notify: NotifyReceiver, from: number): string[] {
  return notify.messages.slice(from).flatMap((m) => m.text.split('\n').filter((l) => /^(READY|RELOADING|STOPPING)=1$/.test(l)));
}

/** The body of a raw uwsgi answer that must be a 200. */
function body200(answer: Buffer): string {
  const text = answer.toString();
  expect(text.split('\r\n')[0]).to.match(/^HTTP\/1\.[01] 200 /);
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

describe('deploy/systemd: the unit files, checked statically', () => {
  it('systemd-analyze verify accepts both units without a warning', () => {
    const dir = tempDir('tsuwsgi-units-');
    // Only the node path moves to this machine's; verify checks that ExecStart's binary exists.
    fs.writeFileSync(path.join(dir, 'tsuwsgi.service'), deployFile('systemd/tsuwsgi.service').replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`));
    fs.writeFileSync(path.join(dir, 'tsuwsgi.socket'), deployFile('systemd/tsuwsgi.socket'));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', './tsuwsgi.socket', './tsuwsgi.service'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.error, 'systemd-analyze (apt-get install -y systemd)').to.equal(undefined);
    expect(`${r.stdout}${r.stderr}`.trim()).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('the service: Type=notify, SIGTERM to stop, SIGHUP to reload, hardened, with a runtime directory for the socket', () => {
    expect(key(service, 'Service', 'Type')).to.equal('notify');
    // tsuwsgi's notifications come from a child of the master (systemd-notify).
    expect(key(service, 'Service', 'NotifyAccess')).to.equal('all');
    expect(key(service, 'Service', 'KillSignal')).to.equal('SIGTERM');
    expect(key(service, 'Service', 'ExecReload')).to.equal('/bin/kill -HUP $MAINPID');
    expect(key(service, 'Service', 'NoNewPrivileges')).to.equal('yes');
    expect(key(service, 'Service', 'ProtectSystem')).to.equal('strict');
    expect(key(service, 'Service', 'RuntimeDirectory')).to.equal('tsuwsgi');
    expect(key(service, 'Unit', 'Requires')).to.equal('tsuwsgi.socket');
    const exec = (key(service, 'Service', 'ExecStart') ?? '').split(/\s+/);
    expect(exec[1].endsWith(`/node_modules/tsuwsgi/${pkg.bin.tsuwsgi}`), exec[1]).to.equal(true);
    // systemd's SIGKILL comes only after tsuwsgi's own worker-reload-mercy (60 s) has run out.
    expect(Number(key(service, 'Service', 'TimeoutStopSec'))).to.be.greaterThan(60);
  });

  it('one socket address everywhere: the .socket unit, the ini, nginx; inside the runtime directory', () => {
    const ini = deployFile('systemd/uwsgi.ini');
    const listen = key(socketUnit, 'Socket', 'ListenStream');
    expect(listen).to.equal(iniValue(ini, 'socket'));
    expect(path.dirname(listen as string)).to.equal(`/run/${key(service, 'Service', 'RuntimeDirectory')}`);
    expect(/uwsgi_pass\s+tsuwsgi;/.test(deployFile('nginx/single-host.conf'))).to.equal(true);
    expect(deployFile('nginx/single-host.conf')).to.contain(`server unix:${listen};`);
  });

  it('nginx waits longer than harakiri, so the client gets tsuwsgi\'s own 504', () => {
    const harakiri = Number(iniValue(deployFile('systemd/uwsgi.ini'), 'harakiri'));
    const timeout = /uwsgi_read_timeout\s+(\d+)s;/.exec(deployFile('nginx/single-host.conf'));
    expect(harakiri).to.be.greaterThan(0);
    expect(Number(timeout?.[1])).to.be.greaterThan(harakiri);
  });

  it('nginx -t accepts the single-host and the multi-host snippets', async () => {
    const port = await pickPort();
    for (const f of ['nginx/single-host.conf', 'nginx/multi-host.conf']) {
      const r = nginxTest(adaptSite(deployFile(f), { listen: `127.0.0.1:${port}` }));
      expect(r.code, `${f}: ${r.output}`).to.equal(0);
    }
  });
});

describe('deploy/systemd: socket activation and sd_notify, run for real', function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;
  let nginx: SiteNginx | undefined;
  let notify: NotifyReceiver | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    if (server !== undefined) {
      server.kill();
      await server.exited;
    }
    server = undefined;
    notify?.stop();
    notify = undefined;
  });

  it('tsuwsgi.service\'s command on tsuwsgi.socket\'s socket: READY, RELOADING/READY across a reload with no failed request, STOPPING, exit 0', async () => {
    // /run/tsuwsgi and /srv/app, here.
    const dir = tempDir('tsuwsgi-systemd-');
    fs.copyFileSync(path.join(REPO, 'examples', 'app.js'), path.join(dir, 'app.js'));
    fs.writeFileSync(path.join(dir, 'uwsgi.ini'), deployFile('systemd/uwsgi.ini').split('/run/tsuwsgi').join(dir));
    const listen = (key(socketUnit, 'Socket', 'ListenStream') as string).replace('/run/tsuwsgi', dir);
    const exec = (key(service, 'Service', 'ExecStart') as string)
      .replace('/usr/bin/node', process.execPath)
      .replace('/srv/app/node_modules/tsuwsgi/bin/tsuwsgi', BIN)
      .replace('/srv/app/uwsgi.ini', path.join(dir, 'uwsgi.ini'))
      .split(/\s+/);
    notify = await startNotifyReceiver();
    const child = socketActivate([listen], exec, { NOTIFY_SOCKET: notify.socketPath, TSUWSGI_LOG_JSON: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' });
    server = new ServerProcess(child, dir, path.join(dir, 'uwsgi.ini'));
    await waitUntil('systemd-socket-activate listening', () => fs.existsSync(listen));

    const front = await pickPort();
    const site = adaptSite(deployFile('nginx/single-host.conf'), { listen: `127.0.0.1:${front}`, replace: { '/run/tsuwsgi/app.sock': listen } });
    nginx = await startSiteNginx(site, { port: front });
    // The first connection starts the service (systemd-socket-activate execs it); it waits in
    // the socket's queue meanwhile, as under systemd.
    const first = await request(`http://127.0.0.1:${front}/`, { timeoutMs: 30_000 });
    expect(first.status, nginx.errorLog()).to.equal(200);
    expect(first.body.toString()).to.equal('Hello from tsuwsgi');

    const workers = await server.ready();
    const bound = server.events('bound');
    expect(bound.map((b) => [b.address, b.inherited])).to.deep.equal([[listen, true]]);
    const ready = await notify.waitFor('READY=1');
    expect(ready.text.split('\n')).to.include(`MAINPID=${server.pid}`);
    expect(ready.text).to.contain(`STATUS=${workers.length} worker(s) accepting`);

    // systemctl reload = kill -HUP $MAINPID, under load through nginx.
    const live = { ok: 0, failures: [] as string[], bodies: [] as string[] };
    let reloaded = false;
    const loading = keepLoading(`http://127.0.0.1:${front}/`, 200, () => reloaded, 60_000, { live });
    await waitUntil('some load', () => live.ok > 20);
    const mark = notify.messages.length;
    process.kill(server.pid, 'SIGHUP');
    await notify.waitFor('RELOADING=1', mark, 30_000);
    const again = await notify.waitFor('READY=1', mark, 30_000);
    expect(states(notify, mark)).to.deep.equal(['RELOADING=1', 'READY=1']);
    expect(again.text).to.contain('(reloaded)');
    reloaded = true;
    const load = await loading;
    reportLoad('systemd: reload under load', load);
    expect(load.failures).to.deep.equal([]);

    // systemctl stop = SIGTERM (KillSignal), KillMode=mixed.
    const stopMark = notify.messages.length;
    const exit = await server.stop('SIGTERM', 30_000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(states(notify, stopMark)).to.deep.equal(['STOPPING=1']);
    // The socket belongs to the .socket unit: vacuum leaves it for the next start.
    expect(fs.statSync(listen).isSocket()).to.equal(true);
  });

  it('matches passed sockets to socket lines by address, serves an unnamed one as uwsgi, binds the rest itself, and hides LISTEN_* and NOTIFY_SOCKET from the app', async () => {
    const dir = tempDir('tsuwsgi-activate-');
    const [tcp, http] = [await pickPort(), await pickPort()];
    const extra = path.join(dir, 'extra.sock');
    const ini = writeIni(dir, { 'wsgi-file': fixtureApp('echo.js'), socket: `127.0.0.1:${tcp}`, 'http-socket': `127.0.0.1:${http}`, processes: 2, threads: 2, vacuum: true });
    notify = await startNotifyReceiver();
    const child = socketActivate([`127.0.0.1:${tcp}`, extra], [process.execPath, BIN, ini], { TSUWSGI_LOG_JSON: '1', NOTIFY_SOCKET: notify.socketPath });
    server = new ServerProcess(child, dir, ini);
    await waitUntil('systemd-socket-activate listening', () => fs.existsSync(extra));

    expect(body200(await exchange({ port: tcp }, [uwsgiGet('/')], { timeoutMs: 30_000 }))).to.equal('hello');
    await server.ready();
    expect(body200(await exchange({ path: extra }, [uwsgiGet('/')]))).to.equal('hello');
    expect((await request(`http://127.0.0.1:${http}/`)).body.toString()).to.equal('hello');
    const bound = server.events('bound').map((b) => [b.proto, b.address, b.inherited]);
    expect(bound).to.have.deep.members([
      ['uwsgi', `127.0.0.1:${tcp}`, true],
      ['http', `127.0.0.1:${http}`, false],
      ['uwsgi', extra, true],
    ]);
    for (const name of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET']) {
      expect((await request(`http://127.0.0.1:${http}/env?name=${name}`)).body.toString(), name).to.equal('');
    }
    expect(await server.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
    expect(fs.existsSync(extra), 'an inherited unix socket is not vacuumed').to.equal(true);
  });

  it('needs no socket line when systemd passes the socket', async () => {
    const dir = tempDir('tsuwsgi-activate-');
    const sock = path.join(dir, 'only.sock');
    const ini = writeIni(dir, { 'wsgi-file': fixtureApp('echo.js'), processes: 1 });
    const child = socketActivate([sock], [process.execPath, BIN, ini], { TSUWSGI_LOG_JSON: '1' });
    server = new ServerProcess(child, dir, ini);
    // The file appears at bind(), a moment before listen(): a refused connection means "not yet".
    const reply = await waitUntil('systemd-socket-activate listening, then tsuwsgi answering', async () => {
      if (!fs.existsSync(sock)) return undefined;
      try {
        return await exchange({ path: sock }, [uwsgiGet('/pid')], { timeoutMs: 30_000 });
      } catch (err) {
        if (/ECONNREFUSED/.test(String(err))) return undefined;
        throw err;
      }
    }, 30_000, 50);
    expect(body200(reply)).to.match(/^\d+:\d+$/);
    expect(await server.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
  });
});
