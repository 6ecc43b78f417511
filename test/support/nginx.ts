/**
 * A real nginx (Debian's package) with its own temp config, started and stopped by pid.
 * Tests that need it fail, never skip, when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './tmp';
import { pickPort } from './server';
import { waitUntil } from './wait';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'];
const UWSGI_PARAMS = '/etc/nginx/uwsgi_params';

export function nginxBinary(): string {
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (found === undefined || !fs.existsSync(UWSGI_PARAMS)) {
    throw new Error('nginx not found: apt-get install -y nginx (Debian package nginx)');
  }
  return found;
}

export interface NginxOptions {
  /** `unix:/path` or `127.0.0.1:port`. */
  readonly upstream: string;
  readonly clientMaxBodySize?: string;
  /** Extra directives inside `location /`. */
  readonly location?: string;
  /** Extra directives inside `http {}`. */
  readonly http?: string;
  /** Extra directives inside `server {}`, before `location /` (more locations, say). */
  readonly server?: string;
}

export interface Nginx {
  readonly port: number;
  readonly url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** A foreground nginx whose pid, logs and temp paths all live under `dir` (the -p prefix). */
export function nginxMainConf(dir: string, httpBody: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${httpBody}
}
`;
}

export async function startNginx(opts: NginxOptions): Promise<Nginx> {
  const dir = tempDir('tsuwsgi-nginx-');
  const port = await pickPort();
  const conf = nginxMainConf(dir, `
  client_max_body_size ${opts.clientMaxBodySize ?? '64m'};
  large_client_header_buffers 4 64k;
  ${opts.http ?? ''}
  server {
    listen 127.0.0.1:${port};
    ${opts.server ?? ''}
    location / {
      include ${UWSGI_PARAMS};
      uwsgi_pass ${opts.upstream};
      ${opts.location ?? ''}
    }
  }
`);
  const confPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confPath, conf);
  const nginx = await runNginx(dir, confPath, { port, host: '127.0.0.1' });
  return { ...nginx, port, url: `http://127.0.0.1:${port}` };
}

export interface RunningNginx {
  readonly pid: number;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on `confPath` (prefix `dir`), optionally behind a command prefix such as
 * `ip netns exec NS`, and resolves once `probe` accepts a connection. Stopped by pid here or
 * in the global after-hook.
 */
export async function runNginx(dir: string, confPath: string, probe: net.NetConnectOpts, prefix: readonly string[] = []): Promise<RunningNginx> {
  const [cmd, ...args] = [...prefix, nginxBinary(), '-c', confPath, '-p', dir];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  await waitUntil(`nginx accepting on ${JSON.stringify(probe)}`, () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    return canConnect(probe);
  });
  return {
    pid: child.pid as number,
    errorLog: () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function canConnect(to: net.NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(to);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function killAllNginx(): void {
  for (const c of running) c.kill('SIGKILL');
}
