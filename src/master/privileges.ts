/**
 * uid / gid: each worker is forked with child_process.fork's `uid`/`gid` options, so it never
 * runs a line of JS as root. libuv does the switch in the forked child before exec
 * (deps/uv/src/unix/process.c, uv__process_child_init, libuv 1.46 in Node 20): when either
 * option is set it calls setgroups(0, NULL), then setgid(gid), then setuid(uid). So root's
 * supplementary groups are dropped too (test/e2e/privileges.test.ts checks /proc/<worker>/status
 * with a master that has some). That is also why gid must always be passed along with uid: with
 * uid alone the worker would keep gid 0. The master itself drops to the same ids once its
 * sockets and files exist (drop-root.ts); from then on it forks without these options.
 *
 * Everything here runs once, before the first fork. Workers open by path only the worker code
 * and the logto file (each process opens the log itself; the master created it and gave it to
 * the workers through its fd, log-file.ts), so the master checks as the target user that both
 * can be opened: a failure is a clear boot error now rather than a worker that dies at every
 * respawn.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { TsuwsgiError, type ErrorCode } from '../shared/errors';
import { WORKER_ENTRY } from './spawn-worker';
import { checkCanSwitch, workerCredentials, type Credentials } from './credentials';

/** Runs in the master before binding: the checks, then a probe as the user. */
export function preparePrivilegeDrop(config: Config, log: Logger): void {
  if (config.uid === undefined && config.gid === undefined) return;
  checkCanSwitch(config);
  const creds = workerCredentials(config);
  if (creds.uid === undefined && creds.gid === undefined) return;
  if (creds.uid !== undefined && creds.uid !== 0) probeAsUser(config, creds);
  log.info(
    { event: 'privileges', uid: creds.uid, gid: creds.gid },
    `workers will run as${creds.uid === undefined ? '' : ` uid ${creds.uid}`}${creds.gid === undefined ? '' : ` gid ${creds.gid}`}, without supplementary groups`,
  );
}

// Runs as the target user: access(2) then answers for that user, with no supplementary groups.
// Prints the index of the first check that fails and its errno code.
const PROBE = `
const fs = require('node:fs');
JSON.parse(process.argv[1]).forEach(([file, mode], i) => {
  try { fs.accessSync(file, mode); } catch (err) { process.stdout.write(i + ' ' + err.code); process.exit(1); }
});`;

interface Check {
  readonly file: string;
  readonly mode: number;
  readonly what: string;
  readonly code: ErrorCode;
}

function probeAsUser(config: Config, creds: Credentials): void {
  const checks: Check[] = [{ file: WORKER_ENTRY, mode: fs.constants.R_OK, what: 'read the worker code', code: 'E_PRIVILEGES' }];
  if (config.logto !== undefined) checks.push({ file: config.logto, mode: fs.constants.W_OK, what: 'write the log file', code: 'E_PRIVILEGES' });
  // Without this the worker's import() says "Cannot find module" about a file that exists.
  if (config.appFile !== undefined && config.needApp) {
    checks.push({ file: config.appFile, mode: fs.constants.R_OK, what: 'read the app file', code: 'E_APP_LOAD' });
  }
  const who = `uid ${creds.uid}${creds.gid === undefined ? '' : ` gid ${creds.gid}`}`;
  const result = spawnSync(process.execPath, ['-e', PROBE, JSON.stringify(checks.map((c) => [c.file, c.mode]))], {
    ...creds,
    cwd: config.chdir,
    env: { ...process.env, ...Object.fromEntries(config.env) },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.error !== undefined) {
    throw new TsuwsgiError('E_PRIVILEGES', `cannot start node (${process.execPath}) as ${who}: ${result.error.message}`);
  }
  if (result.status === 0) return;
  const [index, errno] = result.stdout.trim().split(' ');
  const failed = checks[Number(index)];
  if (failed === undefined || errno === undefined) {
    const why = result.stderr.trim().split('\n')[0] || `exit ${result.status ?? result.signal}`;
    throw new TsuwsgiError('E_PRIVILEGES', `cannot run node as ${who}: ${why}`);
  }
  throw new TsuwsgiError(
    failed.code,
    `${failed.file}: the workers (${who}) cannot ${failed.what} (${errno}); make it and its directories reachable by that user`,
  );
}
