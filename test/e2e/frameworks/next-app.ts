/**
 * The Next.js app of nextjs.test.ts (test/fixtures/next-app), installed and built as its users
 * deploy it: `npm ci` from its own package-lock (Next.js and its compiler are ~250 MB, kept out
 * of tsuwsgi's own devDependencies), then `next build` once. Both are skipped when done: the
 * install when node_modules matches the lock, the build when .next holds a build of these very
 * sources by this very Next (a stamp of their hash), so a second suite run (Node 24) reuses it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../../support/server';

export const NEXT_APP = path.join(REPO, 'test', 'fixtures', 'next-app');
const SOURCES = ['package-lock.json', 'next.config.js', 'server.js', 'app', 'public'];

function hashOf(paths: readonly string[]): string {
  const h = createHash('sha256');
  const walk = (p: string): void => {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    else h.update(path.relative(NEXT_APP, p)).update('\0').update(fs.readFileSync(p));
  };
  for (const p of paths) walk(path.join(NEXT_APP, p));
  return h.digest('hex');
}

function run(args: readonly string[], timeout: number): void {
  execFileSync(args[0]!, args.slice(1), {
    cwd: NEXT_APP, stdio: ['ignore', 'ignore', 'inherit'], timeout,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
}

/** Installs and builds the app when needed; returns the Next.js version it runs. */
export function ensureNextApp(): string {
  const lock = hashOf(['package-lock.json']);
  const installed = path.join(NEXT_APP, 'node_modules', '.tsuwsgi-lock');
  if (!fs.existsSync(installed) || fs.readFileSync(installed, 'utf8') !== lock) {
    run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], 300_000);
    fs.writeFileSync(installed, lock);
  }
  const sources = hashOf(SOURCES);
  const built = path.join(NEXT_APP, '.next', 'tsuwsgi-sources');
  if (!fs.existsSync(built) || fs.readFileSync(built, 'utf8') !== sources) {
    run([process.execPath, path.join(NEXT_APP, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], 400_000);
    fs.writeFileSync(built, sources);
  }
  return (JSON.parse(fs.readFileSync(path.join(NEXT_APP, 'node_modules', 'next', 'package.json'), 'utf8')) as { version: string }).version;
}
