/**
 * Suites that run processes as nobody (65534) — workers, and a master that dropped root — need
 * bin/, dist/, node_modules/ and the fixture apps somewhere nobody can read. The repository is
 * used as is when nobody can read it; a clone in a 0700 home (or a `mktemp -d`) is copied once
 * per mocha run to a 0755 temp dir instead, shared by the run's worker processes and removed by
 * the run's global teardown (test/support/hooks.ts). Not a temp dir of the per-file kind: under
 * `--parallel` the root hook that removes those runs after every file, and a worker's copy
 * removed at its exit was cut short when mocha stopped the worker (~14 500 files to remove).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, ServerProcess, writeIni, type IniValues } from './server';
import { tempDir } from './tmp';

export const NOBODY = 65534;

export interface Install {
  readonly root: string;
  readonly bin: string;
  /**
   * A node binary nobody can run, the one running the tests: itself when nobody can reach it,
   * else a link to it (or a copy) in the run's copy. A master forks its workers with its own
   * binary, and a Node line installed by .ci/node-line lives in the clone's .cache/.
   */
  readonly node: string;
  fixtureApp(name: string): string;
}

let staged: Install | undefined;

export function installForNobody(): Install {
  if (staged !== undefined) return staged;
  const root = nobodyCanRead(path.join(REPO, 'dist', 'worker', 'main.js')) ? REPO : copyOfRepo();
  staged = {
    root,
    bin: path.join(root, 'bin', 'tsuwsgi'),
    node: nobodyCanRun(process.execPath) ? process.execPath : copyOfNode(),
    fixtureApp: (name) => path.join(root, 'test', 'fixtures', 'apps', name),
  };
  return staged;
}

function nobodyCanRun(file: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', file], { uid: NOBODY, gid: NOBODY, timeout: 15_000 }).status === 0;
}

/** This node in the run's copy dir (made if the project itself did not need copying). */
function copyOfNode(): string {
  const dir = path.join(runCopyPath(), 'node-bin');
  const node = path.join(dir, 'node');
  if (nobodyCanRun(node)) return node;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(runCopyPath(), 0o755);
  // Made aside and renamed into place, as the project's copy.
  const aside = path.join(dir, `node.${process.pid}`);
  try {
    fs.linkSync(process.execPath, aside);
  } catch {
    fs.copyFileSync(process.execPath, aside);
    fs.chmodSync(aside, 0o755);
  }
  fs.renameSync(aside, node);
  return node;
}

function nobodyCanRead(file: string): boolean {
  const probe = spawnSync(process.execPath, ['-e', 'require("fs").accessSync(process.argv[1], 4)', file], { uid: NOBODY, gid: NOBODY, timeout: 15_000 });
  return probe.status === 0;
}

/** Where this run's copy goes: one per mocha run (hooks.ts sets the variable in the main process). */
function runCopyPath(): string {
  return path.join(os.tmpdir(), `tsuwsgi-install-run-${process.env.TSUWSGI_TEST_RUN ?? process.pid}`);
}

function copyOfRepo(): string {
  const final = runCopyPath();
  if (fs.existsSync(path.join(final, 'bin', 'tsuwsgi'))) return final;
  // Made aside and renamed into place: the run's other worker process may be copying too.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-install-'));
  fs.chmodSync(root, 0o755);
  for (const part of ['bin', 'dist', 'node_modules', 'package.json', path.join('test', 'fixtures', 'apps'), path.join('test', 'fixtures', 'daemons')]) {
    fs.cpSync(path.join(REPO, part), path.join(root, part), { recursive: true, verbatimSymlinks: true });
  }
  try {
    fs.renameSync(root, final);
  } catch {
    // The other one was first (ENOTEMPTY / EEXIST): use its copy.
    fs.rmSync(root, { recursive: true, force: true });
  }
  return final;
}

/** The run's global teardown: its copy, if one was made. */
export function removeRunCopy(): void {
  fs.rmSync(runCopyPath(), { recursive: true, force: true });
}

/** A temp dir nobody can enter (mkdtemp makes 0700). */
export function openDir(): string {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * The installed bin/tsuwsgi with an ini in `dir` (readable by nobody: a master that dropped root
 * re-reads it on reload), started through `prefix` (e.g. setpriv, which execs: the pid is the
 * master's) with `node` (the master forks its workers with the same binary; by default one
 * nobody can run).
 */
export function startInstalled(dir: string, ini: IniValues, prefix: string[] = [], node = installForNobody().node): ServerProcess {
  const iniPath = writeIni(dir, ini);
  fs.chmodSync(iniPath, 0o644);
  const [cmd, ...rest] = [...prefix, node, installForNobody().bin, iniPath];
  const child = spawn(cmd, rest, { cwd: dir, env: { ...process.env, TSUWSGI_LOG_JSON: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ServerProcess(child, dir, iniPath);
}

/**
 * Why the privilege suites cannot run here (they need root, setpriv from util-linux and Debian's
 * nobody:nogroup), or undefined when they can.
 */
export function whyNotAsNobody(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (it starts processes as nobody)';
  if (!fs.existsSync('/usr/bin/setpriv')) return 'needs /usr/bin/setpriv (apt-get install util-linux)';
  return whyNoNobody();
}

/** Debian's nobody:nogroup (65534), or why not. */
export function whyNoNobody(): string | undefined {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8');
  const group = fs.readFileSync('/etc/group', 'utf8');
  if (!/^nobody:[^:]*:65534:65534:/m.test(passwd)) return 'needs the user nobody with uid and gid 65534 (Debian\'s)';
  if (!/^nogroup:[^:]*:65534:/m.test(group)) return 'needs the group nogroup with gid 65534 (Debian\'s)';
  return undefined;
}

/** Runs a shell command as nobody:nogroup without supplementary groups (what the app could do). */
export function asNobody(script: string): void {
  const result = spawnSync('/usr/bin/setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--', 'sh', '-c', script], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) throw new Error(`as nobody: ${script}: ${result.stderr || result.error?.message}`);
}

/** Real, effective, saved and fs ids, and the supplementary groups, of a process or thread. */
export interface Creds {
  uid: number[];
  gid: number[];
  groups: number[];
}

export function credsOf(statusFile: string): Creds {
  const status = fs.readFileSync(statusFile, 'utf8');
  const field = (name: string) =>
    (new RegExp(`^${name}:(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups') };
}

/** Every thread of a process: credentials are per thread on Linux. */
export function threadCreds(pid: number): Creds[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => credsOf(`/proc/${pid}/task/${tid}/status`));
}
