/**
 * deploy/docker: there is no Docker engine here, so the files are checked statically (the
 * compose YAML, the Dockerfiles linted and matched to the package, `nginx -t` on the nginx
 * configs), and then the very commands and nginx configs the containers would run are run on
 * this machine: the image's CMD, the compose file's command and environment, nginx on the
 * shipped server blocks with only the addresses substituted.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { adaptSite, DEPLOY, deployFile, nginxTest, parseDockerfile, startSiteNginx, type Instruction, type SiteNginx } from '../../support/deploy';
import { pickPort, REPO, ServerProcess } from '../../support/server';
import { request } from '../../support/http';
import { tempDir } from '../../support/tmp';
import { spawn } from 'node:child_process';

interface Service {
  build?: { context: string; dockerfile?: string; args?: Record<string, string> } | string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const DOCKER = path.join(DEPLOY, 'docker');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };

function compose(file: string): Compose {
  return parseYaml(fs.readFileSync(path.join(DOCKER, file), 'utf8')) as Compose;
}

function buildOf(s: Service): { context: string; dockerfile: string; args: Record<string, string> } {
  const b = typeof s.build === 'string' ? { context: s.build } : (s.build ?? { context: '.' });
  const context = path.resolve(DOCKER, b.context);
  return { context, dockerfile: path.join(context, b.dockerfile ?? 'Dockerfile'), args: b.args ?? {} };
}

function instructions(file: string): Instruction[] {
  return parseDockerfile(fs.readFileSync(file, 'utf8'));
}

/** The last stage's instructions (after its FROM). */
function finalStage(all: Instruction[]): Instruction[] {
  const from = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(from);
}

function execForm(i: Instruction | undefined): string[] {
  expect(i, 'instruction present').to.not.equal(undefined);
  const parsed = JSON.parse((i as Instruction).args) as unknown;
  expect(parsed, `${(i as Instruction).op} in exec form (JSON array), so no shell sits between Docker and tsuwsgi`).to.be.an('array');
  return parsed as string[];
}

/** `.dockerignore` patterns (simple names, as shipped): does one exclude this top-level path? */
function ignored(patterns: string[], rel: string): boolean {
  const top = rel.split('/')[0];
  return patterns.some((p) => p === top || p === rel || (p.startsWith('*') && rel.endsWith(p.slice(1))));
}

function uwsgiPassOf(conf: string): string {
  const m = /uwsgi_pass\s+([^;]+);/.exec(conf);
  expect(m, 'a uwsgi_pass line').to.not.equal(null);
  return (m as RegExpExecArray)[1];
}

describe('deploy/docker: the compose recipe, checked statically', () => {
  const main = compose('docker-compose.yml');
  const unix = compose('docker-compose.unix.yml');

  it('docker-compose.yml mirrors the blog: app and nginx, restart always, env, expose 8080, port 80 published', () => {
    expect(Object.keys(main.services).sort()).to.deep.equal(['app', 'nginx']);
    const { app, nginx } = main.services;
    expect(app.restart).to.equal('always');
    expect(nginx.restart).to.equal('always');
    expect(app.environment).to.have.property('APP_NAME').that.is.a('string');
    expect(app.expose).to.deep.equal(['8080']);
    expect(app.ports, 'the app is reached through nginx only').to.equal(undefined);
    expect(nginx.ports).to.deep.equal(['80:80']);
    expect(nginx.depends_on).to.deep.equal(['app']);
  });

  it('every build context, Dockerfile and nginx config the compose files name exists', () => {
    for (const c of [main, unix]) {
      for (const s of Object.values(c.services)) {
        const b = buildOf(s);
        expect(fs.statSync(b.context).isDirectory(), b.context).to.equal(true);
        expect(fs.existsSync(b.dockerfile), b.dockerfile).to.equal(true);
        for (const i of instructions(b.dockerfile).filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
          const sources = i.args.split(/\s+/).slice(0, -1);
          for (const src of sources) {
            const arg = /^\$\{(\w+)\}$/.exec(src);
            const declared = instructions(b.dockerfile).find((x) => x.op === 'ARG' && x.args.startsWith(`${arg?.[1]}=`));
            const name = arg ? (b.args[arg[1]] ?? declared?.args.split('=')[1]) : src;
            expect(name, `${src} in ${b.dockerfile}`).to.be.a('string');
            expect(fs.existsSync(path.join(b.context, name as string)), `${name} (COPY in ${b.dockerfile})`).to.equal(true);
          }
        }
      }
    }
  });

  it('the app port is the one uwsgi.ini binds and nginx passes to', () => {
    const ini = fs.readFileSync(path.join(REPO, 'uwsgi.ini'), 'utf8');
    expect(ini).to.match(/^socket\s*=\s*:8080\b/m);
    expect(uwsgiPassOf(deployFile('docker/nginx/nginx.conf'))).to.equal('app:8080');
    expect(deployFile('docker/nginx/nginx.conf')).to.match(/client_max_body_size\s+30M;/);
    expect(deployFile('docker/nginx/nginx.conf')).to.match(/include\s+uwsgi_params;/);
  });

  it('the unix-socket variant shares one volume, and its socket is where nginx looks', () => {
    const { app, nginx } = unix.services;
    expect(Object.keys(unix.volumes ?? {})).to.have.length(1);
    const volume = Object.keys(unix.volumes ?? {})[0];
    const mountOf = (s: Service): string | undefined => s.volumes?.find((v) => v.startsWith(`${volume}:`))?.split(':')[1];
    expect(mountOf(app)).to.be.a('string');
    expect(mountOf(nginx)).to.equal(mountOf(app));
    const cmd = app.command ?? [];
    const socket = cmd[cmd.indexOf('--socket') + 1];
    expect(path.dirname(socket)).to.equal(mountOf(app));
    const conf = fs.readFileSync(path.join(buildOf(nginx).context, buildOf(nginx).args.CONF), 'utf8');
    expect(uwsgiPassOf(conf)).to.equal(`unix:${socket}`);
    expect(app.restart).to.equal('always');
    expect(nginx.ports).to.deep.equal(['80:80']);
  });

  it('the Dockerfiles lint clean (dockerfile-utils, the linter of VS Code\'s Docker support)', () => {
    for (const f of [path.join(DOCKER, 'Dockerfile'), path.join(DOCKER, 'nginx', 'Dockerfile')]) {
      const problems = lintDockerfile(fs.readFileSync(f, 'utf8')).map((d) => `${f}:${d.range.start.line + 1}: ${d.message}`);
      expect(problems).to.deep.equal([]);
    }
  });

  it('both stages run the current Node LTS (24), a version engines admits, the line CI runs the whole suite on', () => {
    const froms = instructions(path.join(DOCKER, 'Dockerfile')).filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms).to.have.length(2);
    for (const image of froms) expect(image).to.match(/^node:24-bookworm-slim$/);
    const engines = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((r) => r.trim())).to.include('>=24.0.0');
    expect(fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8')).to.match(/npm run test:node24\b/);
  });

  it('the app image: official Node image, npm ci --omit=dev, a non-root user, tsuwsgi itself as PID 1', () => {
    const all = instructions(path.join(DOCKER, 'Dockerfile'));
    const last = finalStage(all);
    expect(last[0].args).to.match(/^node:\d+/);
    expect(last.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).to.equal(true);
    const user = last.filter((i) => i.op === 'USER').pop();
    expect(user?.args).to.not.match(/^(root|0)(:|$)/);
    expect(user?.args).to.be.a('string');
    const cmd = execForm(last.filter((i) => i.op === 'CMD').pop());
    // `node <the package's bin> uwsgi.ini`: no npx, npm or shell to swallow docker stop's SIGTERM.
    expect(cmd).to.deep.equal(['node', pkg.bin.tsuwsgi, 'uwsgi.ini']);
    const copied = last.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/));
    expect(copied.some((a) => a.includes('uwsgi.ini'))).to.equal(true);
    expect(copied.some((a) => a[0] === 'bin' || a.includes('bin'))).to.equal(true);
    expect(copied.some((a) => a[0] === '--from=build' && a[1] === '/app/dist')).to.equal(true);
    expect(last.some((i) => i.op === 'EXPOSE' && i.args === '8080')).to.equal(true);
    // The official image's entrypoint runs CMD with exec: node is PID 1.
    expect(all.some((i) => i.op === 'ENTRYPOINT')).to.equal(false);
  });

  it('.dockerignore keeps out what the image must not carry, and nothing it copies', () => {
    const patterns = deployFile('docker/Dockerfile.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    for (const must of ['node_modules', '.git', 'dist']) expect(patterns).to.include(must);
    for (const i of instructions(path.join(DOCKER, 'Dockerfile')).filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
      for (const src of i.args.split(/\s+/).slice(0, -1)) expect(ignored(patterns, src), `${src} is copied but ignored`).to.equal(false);
    }
  });

  it('nginx -t accepts both nginx configs (the compose service name replaced by an address)', async () => {
    const port = await pickPort();
    const tcp = nginxTest(adaptSite(deployFile('docker/nginx/nginx.conf'), { listen: `127.0.0.1:${port}`, replace: { 'app:8080': '127.0.0.1:8080' } }));
    expect(tcp.code, tcp.output).to.equal(0);
    const unixConf = nginxTest(adaptSite(deployFile('docker/nginx/nginx-unix.conf'), { listen: `127.0.0.1:${port}` }));
    expect(unixConf.code, unixConf.output).to.equal(0);
  });
});

/** Runs a container's command on this machine, from the repository (the image's WORKDIR holds the same files). */
function runLikeContainer(argv: string[], env: Record<string, string>): ServerProcess {
  const [cmd, ...args] = argv;
  const child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
    cwd: REPO,
    env: { ...process.env, TSUWSGI_LOG_JSON: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ServerProcess(child, REPO, path.join(REPO, 'uwsgi.ini'));
}

/** Sends only a request head announcing a body over nginx's limit; returns the status line. */
function oversizedHead(port: number, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(10_000, () => s.destroy(new Error('no answer to the oversized request')));
    s.on('connect', () => s.write(`POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`));
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        resolve(got.split('\r\n')[0]);
        s.destroy();
      }
    });
    s.on('error', reject);
  });
}

describe('deploy/docker: the same commands and nginx configs, run for real', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let nginx: SiteNginx | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    if (server !== undefined) {
      server.kill();
      await server.exited;
    }
    server = undefined;
  });

  it('TCP: the image CMD with the compose environment behind nginx.conf; docker stop (SIGTERM) exits 0', async () => {
    const [app, http, front] = [await pickPort(), await pickPort(), await pickPort()];
    const cmd = execForm(finalStage(instructions(path.join(DOCKER, 'Dockerfile'))).filter((i) => i.op === 'CMD').pop());
    const env = compose('docker-compose.yml').services.app.environment ?? {};
    // Only the ports move (command-line options replace the ini's): this machine runs other tests.
    server = runLikeContainer([...cmd, '--socket', `127.0.0.1:${app}`, '--http-socket', `127.0.0.1:${http}`], env);
    await server.ready(30_000);
    const site = adaptSite(deployFile('docker/nginx/nginx.conf'), { listen: `127.0.0.1:${front}`, replace: { 'app:8080': `127.0.0.1:${app}` } });
    nginx = await startSiteNginx(site, { port: front });

    const home = await request(`http://127.0.0.1:${front}/`);
    expect(home.status).to.equal(200);
    expect(home.body.toString()).to.equal(`Hello from ${env.APP_NAME} running in a Docker container behind Nginx!`);
    const processed = await request(`http://127.0.0.1:${front}/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a b c' }) });
    expect(processed.status).to.equal(200);
    expect(JSON.parse(processed.body.toString())).to.deep.include({ ok: true });
    // The seed's client_max_body_size 30M: one byte more is nginx's 413, before tsuwsgi sees it.
    expect(await oversizedHead(front, 30 * 1024 * 1024 + 1)).to.match(/^HTTP\/1\.1 413 /);

    const exit = await server.stop('SIGTERM', 30_000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
  });

  it('unix socket: the compose command over the shared volume behind nginx-unix.conf', async () => {
    const volume = tempDir('tsuwsgi-volume-');
    const unix = compose('docker-compose.unix.yml');
    const cmd = (unix.services.app.command ?? []).map((a) => a.replace('/run/tsuwsgi', volume));
    const http = await pickPort();
    server = runLikeContainer([...cmd, '--http-socket', `127.0.0.1:${http}`], unix.services.app.environment ?? {});
    await server.ready(30_000);
    const sock = cmd[cmd.indexOf('--socket') + 1];
    expect((fs.statSync(sock).mode & 0o777).toString(8)).to.equal('666');
    const confFile = path.join(buildOf(unix.services.nginx).context, buildOf(unix.services.nginx).args.CONF);
    const front = await pickPort();
    const site = adaptSite(fs.readFileSync(confFile, 'utf8'), { listen: `127.0.0.1:${front}`, replace: { '/run/tsuwsgi': volume } });
    nginx = await startSiteNginx(site, { port: front });
    const home = await request(`http://127.0.0.1:${front}/`);
    expect(home.status).to.equal(200);
    expect(home.body.toString()).to.contain('Hello from MyNodeApp');
    expect(await server.stop('SIGTERM', 30_000)).to.deep.equal({ code: 0, signal: null });
    expect(fs.existsSync(sock), 'vacuum removed the socket').to.equal(false);
  });
});
