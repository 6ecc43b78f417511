/**
 * The master gives up root, as uWSGI's does, once everything that needs root exists: the
 * sockets are bound (ports below 1024, chown-socket), the stats socket and the master FIFO are
 * created, the pidfile is written and the log file created and given to the workers. From then
 * on it runs as the workers' uid/gid, so a flaw in anything it does later (reloads, log reopen,
 * stats, FIFO commands) is a flaw at the app's privilege, not root's. `master-as-root = true`
 * keeps root (uWSGI's option of the same name).
 *
 * Order: setgroups([]) first (it needs root), then setgid (it needs root too, so before
 * setuid), then setuid. glibc applies each to every thread of the process (libuv's pool, V8's
 * platform threads): checked per task in /proc by the tests. The kernel also clears the
 * process's "dumpable" flag on that change, so the app, now the same uid, still cannot ptrace
 * the master or read its /proc/PID/environ; it can signal it (as in uWSGI).
 */
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { TsuwsgiError } from '../shared/errors';
import { workerCredentials } from './credentials';

export function dropMasterPrivileges(config: Config, log: Logger): void {
  const creds = workerCredentials(config);
  if (creds.uid === undefined && creds.gid === undefined) return;
  if (config.masterAsRoot) {
    log.info({ event: 'master-keeps-root' }, 'master-as-root: the master stays root; only the workers run as uid/gid');
    return;
  }
  try {
    process.setgroups?.([]);
    if (creds.gid !== undefined) process.setgid?.(creds.gid);
    if (creds.uid !== undefined) process.setuid?.(creds.uid);
  } catch (err) {
    throw new TsuwsgiError('E_PRIVILEGES', `the master cannot become uid ${creds.uid} gid ${creds.gid}: ${(err as Error).message}`);
  }
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  log.info(
    { event: 'master-dropped-root', uid, gid },
    `master now runs as uid ${uid} gid ${gid}, without supplementary groups (set master-as-root = true to keep root)`,
  );
}
