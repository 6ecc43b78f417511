/**
 * The deployment kit's files (deploy/) as the tests read them, and the real programs that
 * check or run them: an nginx started on a shipped server block (listen address and upstream
 * substituted), `nginx -t`, and a stand-in for systemd's notify socket. Every process started
 * here is stopped by pid, in the test's own after-hook or in the global one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './server';
import { nginxBinary, nginxMainConf, runNginx, type RunningNginx } from './nginx';
import { tempDir } from './tmp';
import { waitUntil } from './wait';

export const DEPLOY = path.join(REPO, 'deploy');

export function deployFile(relative: string): string {
  return fs.readFileSync(path.join(DEPLOY, relative), 'utf8');
}

const started = new Set<ChildProcess>();

/** SIGKILLs whatever a failed test left running (global after-hook). */
export function killDeployProcesses(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

// Dockerfiles ------------------------------------------------------------------------------

export interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s+(.*)$/.exec(whole);
    if (m) out.push({ op: m[1].toUpperCase(), args: m[2] });
  }
  return out;
}

// Unit files -------------------------------------------------------------------------------

/** `[Section]` → key → every value given (systemd keys may repeat). */
export function parseUnitFile(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

// nginx ------------------------------------------------------------------------------------

export interface SiteOptions {
  /** What every `listen` of the server block becomes (one line): `127.0.0.1:PORT` or `unix:PATH`. */
  readonly listen: string;
  /** Literal replacements, e.g. `app:8080` → `127.0.0.1:PORT`. */
  readonly replace?: Readonly<Record<string, string>>;
}

/** A shipped server block as this machine can run it: one listen address, upstreams substituted. */
export function adaptSite(text: string, opts: SiteOptions): string {
  let first = true;
  let out = text.replace(/^(\s*)listen\s+[^;]+;/gm, (_m, indent: string) => {
    const line = first ? `${indent}listen ${opts.listen};` : `${indent}# (listen dropped by the test)`;
    first = false;
    return line;
  });
  for (const [from, to] of Object.entries(opts.replace ?? {})) out = out.split(from).join(to);
  return out;
}

/** A temp prefix holding nginx.conf, the site and uwsgi_params (which sites include relatively). */
function prefixWith(site: string): { dir: string; conf: string } {
  const dir = tempDir('tsuwsgi-nginx-');
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  fs.copyFileSync('/etc/nginx/uwsgi_params', path.join(dir, 'uwsgi_params'));
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxMainConf(dir, `  include ${dir}/site.conf;`));
  return { dir, conf };
}

/** `nginx -t` on a server block: its exit code and what it printed. */
export function nginxTest(site: string): { code: number | null; output: string } {
  const { dir, conf } = prefixWith(site);
  const r = spawnSync(nginxBinary(), ['-t', '-c', conf, '-p', dir], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

export type SiteNginx = RunningNginx;

/**
 * Runs nginx on a server block already adapted to listen on `listen` (a 127.0.0.1 port or a
 * unix socket path), optionally inside a network namespace; resolves once it accepts.
 */
export function startSiteNginx(site: string, listen: { port: number } | { socketPath: string }, netns?: string): Promise<SiteNginx> {
  const { dir, conf } = prefixWith(site);
  const probe = 'port' in listen ? { port: listen.port, host: '127.0.0.1' } : { path: listen.socketPath };
  return runNginx(dir, conf, probe, netns === undefined ? [] : ['ip', 'netns', 'exec', netns]);
}

// sd_notify --------------------------------------------------------------------------------

export interface NotifyMessage {
  readonly text: string;
  /** The sender's pid (SCM_CREDENTIALS). */
  readonly pid: number | null;
}

export interface NotifyReceiver {
  readonly socketPath: string;
  readonly messages: NotifyMessage[];
  /** The first message with this line (e.g. READY=1) after `after` messages. */
  waitFor(line: string, after?: number, timeoutMs?: number): Promise<NotifyMessage>;
  stop(): void;
}

/** A datagram socket standing in for systemd's NOTIFY_SOCKET (test/support/sd-notify-receiver.py). */
export async function startNotifyReceiver(): Promise<NotifyReceiver> {
  const socketPath = path.join(tempDir('tsuwsgi-notify-'), 'notify.sock');
  const child = track(spawn('python3', [path.join(__dirname, 'sd-notify-receiver.py'), socketPath], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const messages: NotifyMessage[] = [];
  let listening = false;
  let stderr = '';
  let rest = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() as string;
    for (const l of lines) {
      const parsed = JSON.parse(l) as { listening?: string } & NotifyMessage;
      if (parsed.listening !== undefined) listening = true;
      else messages.push(parsed);
    }
  });
  await waitUntil('the notify socket bound', () => {
    if (child.exitCode !== null) throw new Error(`sd-notify-receiver.py exited: ${stderr}`);
    return listening;
  });
  return {
    socketPath,
    messages,
    waitFor: (line, after = 0, timeoutMs = 10_000) =>
      waitUntil(`${line} on the notify socket (got ${JSON.stringify(messages.map((m) => m.text))})`, () =>
        messages.slice(after).find((m) => m.text.split('\n').includes(line)), timeoutMs),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** systemd-socket-activate listening on `listen` (ADDR each) and exec'ing `command` on the first connection. */
export function socketActivate(listen: readonly string[], command: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const args = [...listen.flatMap((l) => ['-l', l]), ...Object.entries(env).map(([k, v]) => `-E${k}=${v}`), ...command];
  return spawn('systemd-socket-activate', args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
}
