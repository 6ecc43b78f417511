/**
 * The Emperor's deployment files: deploy/systemd/tsuwsgi-emperor.service (+ emperor.ini),
 * checked by `systemd-analyze verify` and run the way systemd would (its ExecStart, a stand-in
 * NOTIFY_SOCKET); and deploy/docker's several-apps-in-one-container recipe
 * (docker-compose.emperor.yml, vassals/, nginx-emperor.conf), checked statically and run on
 * this machine with only the paths moved.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { adaptSite, DEPLOY, deployFile, nginxTest, parseUnitFile, startNotifyReceiver, startSiteNginx, type NotifyReceiver, type SiteNginx } from '../../support/deploy';
import { BIN, pickPort, REPO, ServerProcess } from '../../support/server';
import { request } from '../../support/http';
import { tempDir } from '../../support/tmp';
import { isAlive, waitUntil } from '../../support/wait';
import { killSeen, rememberTree } from '../../support/emperor';
import { readStatsRaw } from '../../support/stats';
import type { EmperorDocument } from '../../../src/emperor/emperor-stats';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const unit = parseUnitFile(deployFile('systemd/tsuwsgi-emperor.service'));
const key = (section: string, name: string): string | undefined => unit.get(section)?.get(name)?.at(-1);
const iniValue = (text: string, name: string): string | undefined => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];

interface Service {
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  volumes?: string[];
  ports?: string[];
  restart?: string;
  depends_on?: string[];
}
const compose = parseYaml(deployFile('docker/docker-compose.emperor.yml')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

function start(argv: string[], env: NodeJS.ProcessEnv, cwd: string): ServerProcess {
  const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, TSUWSGI_LOG_JSON: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ServerProcess(child, cwd, '');
}

async function emperorDoc(stats: string): Promise<EmperorDocument> {
  return JSON.parse(await readStatsRaw({ path: stats })) as EmperorDocument;
}

describe('deploy: the Emperor\'s systemd unit and Docker recipe, checked statically', () => {
  it('systemd-analyze verify accepts tsuwsgi-emperor.service without a warning', () => {
    const dir = tempDir('tsuwsgi-units-');
    fs.writeFileSync(path.join(dir, 'tsuwsgi-emperor.service'), deployFile('systemd/tsuwsgi-emperor.service').replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', './tsuwsgi-emperor.service'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.error, 'systemd-analyze (apt-get install -y systemd)').to.equal(undefined);
    expect(`${r.stdout}${r.stderr}`.trim()).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('the unit: Type=notify, SIGTERM to the Emperor only, SIGHUP to reload, root (tyrant), stop timeout past the vassals\' mercy', () => {
    expect(key('Service', 'Type')).to.equal('notify');
    expect(key('Service', 'NotifyAccess')).to.equal('all');
    expect(key('Service', 'KillSignal')).to.equal('SIGTERM');
    expect(key('Service', 'KillMode')).to.equal('mixed');
    expect(key('Service', 'ExecReload')).to.equal('/bin/kill -HUP $MAINPID');
    expect(key('Service', 'User'), 'emperor-tyrant needs root').to.equal(undefined);
    expect(key('Service', 'NoNewPrivileges')).to.equal('yes');
    expect(Number(key('Service', 'TimeoutStopSec'))).to.be.greaterThan(60);
    const exec = (key('Service', 'ExecStart') ?? '').split(/\s+/);
    expect(exec[1].endsWith(`/node_modules/tsuwsgi/${pkg.bin.tsuwsgi}`), exec[1]).to.equal(true);
    expect(exec[2]).to.equal('/etc/tsuwsgi/emperor.ini');
    const ini = deployFile('systemd/emperor.ini');
    expect(iniValue(ini, 'emperor')).to.equal('/etc/tsuwsgi/vassals');
    expect(iniValue(ini, 'emperor-tyrant')).to.equal('true');
    expect(path.dirname(iniValue(ini, 'emperor-stats') as string)).to.equal(`/run/${key('Service', 'RuntimeDirectory')}`);
  });

  it('the Docker recipe: the apps container runs the Emperor over the mounted vassals, and nginx finds each vassal\'s socket in the shared volume', () => {
    const { apps, nginx } = compose.services;
    expect(Object.keys(compose.services).sort()).to.deep.equal(['apps', 'nginx']);
    expect(apps.command).to.deep.equal(['node', pkg.bin.tsuwsgi, '--emperor', '/app/vassals']);
    expect(apps.volumes).to.include('./vassals:/app/vassals:ro');
    expect(fs.existsSync(path.join(DEPLOY, 'docker', apps.build?.dockerfile?.replace('deploy/docker/', '') ?? 'x'))).to.equal(true);
    const volume = Object.keys(compose.volumes ?? {})[0];
    const mount = (s: Service): string | undefined => s.volumes?.find((v) => v.startsWith(`${volume}:`))?.split(':')[1];
    expect(mount(apps)).to.equal('/run/tsuwsgi');
    expect(mount(nginx)).to.equal(mount(apps));
    const conf = deployFile(`docker/nginx/${nginx.build?.args?.CONF}`);
    expect(/uwsgi_pass\s+unix:\/run\/tsuwsgi\/\$vassal\.sock;/.test(conf)).to.equal(true);
    for (const f of fs.readdirSync(path.join(DEPLOY, 'docker', 'vassals'))) {
      const ini = deployFile(`docker/vassals/${f}`);
      expect(iniValue(ini, 'socket'), f).to.equal('/run/tsuwsgi/%n.sock');
      expect(conf, `${f} has a line in nginx-emperor.conf's map`).to.match(new RegExp(`${path.basename(f, '.ini')}\\.localhost\\s+${path.basename(f, '.ini')};`));
    }
    expect([apps.restart, nginx.restart, nginx.ports?.[0], nginx.depends_on?.[0]]).to.deep.equal(['always', 'always', '80:80', 'apps']);
  });

  it('nginx -t accepts nginx-emperor.conf', async () => {
    const port = await pickPort();
    const r = nginxTest(adaptSite(deployFile('docker/nginx/nginx-emperor.conf'), { listen: `127.0.0.1:${port}` }));
    expect(r.code, r.output).to.equal(0);
  });
});

describe('deploy: the Emperor\'s unit and recipe, run for real', function () {
  this.timeout(120_000);
  let emperor: ServerProcess | undefined;
  let nginx: SiteNginx | undefined;
  let notify: NotifyReceiver | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    if (emperor !== undefined && emperor.exit === undefined) {
      emperor.child.kill('SIGKILL');
      await emperor.exited;
    }
    emperor = undefined;
    killSeen();
    notify?.stop();
    notify = undefined;
  });

  it('tsuwsgi-emperor.service\'s command: READY=1 from the Emperor, its vassal serves, STOPPING=1 and exit 0 on SIGTERM', async () => {
    // /etc/tsuwsgi and /run/tsuwsgi-emperor, here.
    const dir = tempDir('tsuwsgi-emperor-unit-');
    const run = path.join(dir, 'run');
    fs.mkdirSync(path.join(dir, 'vassals'), { recursive: true });
    fs.mkdirSync(run);
    const ini = deployFile('systemd/emperor.ini').split('/etc/tsuwsgi').join(dir).split('/run/tsuwsgi-emperor').join(run);
    fs.writeFileSync(path.join(dir, 'emperor.ini'), ini);
    const port = await pickPort();
    fs.writeFileSync(path.join(dir, 'vassals', 'app.ini'), `[uwsgi]\nwsgi-file = ${path.join(REPO, 'examples', 'app.js')}\ncallable = app\nhttp-socket = 127.0.0.1:${port}\n`);
    const exec = (key('Service', 'ExecStart') as string)
      .replace('/usr/bin/node', process.execPath)
      .replace('/usr/lib/node_modules/tsuwsgi/bin/tsuwsgi', BIN)
      .replace('/etc/tsuwsgi/emperor.ini', path.join(dir, 'emperor.ini'))
      .split(/\s+/);
    notify = await startNotifyReceiver();
    emperor = start(exec.slice(1), { NOTIFY_SOCKET: notify.socketPath }, dir);
    const ready = await notify.waitFor('READY=1', 0, 30_000);
    expect(ready.text.split('\n')).to.include(`MAINPID=${emperor.pid}`);
    const stats = path.join(run, 'emperor.stats');
    await waitUntil('the vassal running', async () => (await emperorDoc(stats).catch(() => undefined))?.vassals[0]?.state === 'running', 30_000);
    const doc = await emperorDoc(stats);
    expect(doc.emperor_tyrant).to.equal(1);
    const tree = rememberTree(doc.vassals[0].pid);
    expect((await request(`http://127.0.0.1:${port}/`)).body.toString()).to.equal('Hello from tsuwsgi');
    // Only the Emperor speaks to systemd: the vassal's READY went to the Emperor.
    expect(notify.messages.filter((m) => m.text.includes('READY=1'))).to.have.length(1);

    const mark = notify.messages.length;
    expect(await emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
    await notify.waitFor('STOPPING=1', mark);
    for (const pid of tree) expect(isAlive(pid)).to.equal(false);
  });

  it('docker-compose.emperor.yml\'s command over its vassals, behind nginx-emperor.conf: each host name reaches its own app', async () => {
    const volume = tempDir('tsuwsgi-volume-');
    const vassals = tempDir('tsuwsgi-vassals-');
    for (const f of fs.readdirSync(path.join(DEPLOY, 'docker', 'vassals'))) {
      const text = deployFile(`docker/vassals/${f}`).split('/run/tsuwsgi').join(volume).split('/app/').join(`${REPO}/`);
      fs.writeFileSync(path.join(vassals, f), text);
    }
    const cmd = (compose.services.apps.command as string[]).map((a) => (a === '/app/vassals' ? vassals : a));
    const stats = path.join(volume, 'emperor.stats');
    emperor = start([...cmd.slice(1), '--emperor-stats', stats], {}, REPO);
    await waitUntil('both vassals running', async () => {
      const doc = await emperorDoc(stats).catch(() => undefined);
      return doc !== undefined && doc.vassals.length === 2 && doc.vassals.every((v) => v.state === 'running');
    }, 30_000);
    for (const v of (await emperorDoc(stats)).vassals) rememberTree(v.pid);
    const front = await pickPort();
    const site = adaptSite(deployFile('docker/nginx/nginx-emperor.conf'), { listen: `127.0.0.1:${front}`, replace: { '/run/tsuwsgi': volume } });
    nginx = await startSiteNginx(site, { port: front });
    for (const app of ['hello', 'blog']) {
      const r = await request(`http://127.0.0.1:${front}/`, { headers: { host: `${app}.localhost` } });
      expect([r.status, r.body.toString()], app).to.deep.equal([200, `Hello from ${app} running in a Docker container behind Nginx!`]);
    }
    expect((await request(`http://127.0.0.1:${front}/`, { headers: { host: 'other.localhost' } })).status).to.equal(404);
    expect(await emperor.stop('SIGTERM', 60_000)).to.deep.equal({ code: 0, signal: null });
    expect(fs.readdirSync(volume), 'vacuum removed both sockets, the Emperor its stats socket').to.deep.equal([]);
  });
});
