/**
 * Where a root master writes by path (logto, pidfile), the workers' user must not be able to
 * redirect it. Two checks, run before the first open (the master opens logto before anything
 * else), only when a root master runs the workers as another uid:
 *
 * - every directory on the way (`/srv`, `/srv/app`, `/srv/app/logs` for /srv/app/logs/app.log)
 *   must be an entry the user cannot replace: else `logs` becomes a symlink to another
 *   service's log directory and root opens and chowns that service's `app.log`. Always, since
 *   root opens these paths at every start, even when the master drops root afterwards;
 * - the directory holding the file must not be writable by the user while the master keeps
 *   root (master-as-root): it reopens the log there on every SIGUSR2, for the master's whole
 *   life. O_NOFOLLOW, the one-link check and rename() defend each open already (log-file.ts,
 *   pidfile.ts); this refuses the layout, as logrotate refuses to rotate in such a directory
 *   without `su`. A master that drops root opens the file there as the user afterwards, so the
 *   user may own it.
 *
 * `allow-writable-dirs = true` turns both off. ACLs are not read (mode bits and owners only).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../shared/config';
import { TsuwsgiError } from '../shared/errors';
import { workerCredentials } from './credentials';

export interface AppIds {
  readonly uid: number;
  readonly gid: number | undefined;
}

interface Perms {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** Issue 11's "can write": owned by uid, group-writable with gid, or world-writable (sticky or not). */
export function writableBy(dir: Perms, ids: AppIds): boolean {
  if (dir.uid === ids.uid) return true;
  if (ids.gid !== undefined && dir.gid === ids.gid && (dir.mode & 0o020) !== 0) return true;
  return (dir.mode & 0o002) !== 0;
}

/**
 * Can the user rename, remove or create `entry` (undefined: absent) in `dir`? In a sticky
 * directory (/tmp) only their own entries, or any if they own the directory.
 */
export function canReplaceEntry(dir: Perms, entry: Perms | undefined, ids: AppIds): boolean {
  if (!writableBy(dir, ids)) return false;
  const sticky = (dir.mode & 0o1000) !== 0;
  if (!sticky || entry === undefined || dir.uid === ids.uid) return true;
  return entry.uid === ids.uid;
}

/** The ids to check against: only a root master running the workers as another uid has any. */
export function appIdsOf(config: Pick<Config, 'uid' | 'gid'>): AppIds | undefined {
  const creds = workerCredentials(config);
  if (creds.uid === undefined || creds.uid === 0) return undefined;
  return { uid: creds.uid, gid: creds.gid };
}

export function checkWritableDirs(config: Config): void {
  const ids = appIdsOf(config);
  if (ids === undefined || config.allowWritableDirs) return;
  const files: [string, string | undefined][] = [['logto', config.logto], ['pidfile', config.pidfile]];
  for (const [option, file] of files) {
    if (file === undefined) continue;
    const dir = path.dirname(path.resolve(file));
    const who = `uid ${ids.uid}${ids.gid === undefined ? '' : ` gid ${ids.gid}`} (the workers' user)`;
    const replaceable = replaceableOnTheWay(dir, ids);
    if (replaceable !== undefined) {
      throw new TsuwsgiError(
        'E_UNSAFE_DIR',
        `${option} ${file}: ${who} can replace ${replaceable} (its directory is writable by that user), so the root master could be sent to another directory through a symlink; give the directories above the file to root, or set allow-writable-dirs = true`,
      );
    }
    if (config.masterAsRoot && writableBy(statOrRoot(dir), ids)) {
      throw new TsuwsgiError(
        'E_UNSAFE_DIR',
        `${option} ${file}: ${dir} is writable by ${who} and the master keeps root (master-as-root): the app could swap the file for a link to a file root would then open; make the directory root's, drop master-as-root, or set allow-writable-dirs = true`,
      );
    }
  }
}

/**
 * The first entry on the way to `dir` (itself included) the user could replace, walking the
 * path as given (a symlink's own entry is checked, then what it leads to) and, when it differs,
 * the real path (a symlink's target directories). Stops at the first missing entry: root
 * creates the rest.
 */
function replaceableOnTheWay(dir: string, ids: AppIds): string | undefined {
  const real = realpathOfExisting(dir);
  for (const way of real === dir ? [dir] : [dir, real]) {
    let parent = '/';
    for (const name of way.split('/').filter(Boolean)) {
      const entry = path.join(parent, name);
      const parentStat = statOrUndefined(parent, fs.statSync);
      if (parentStat === undefined) break;
      const entryStat = statOrUndefined(entry, fs.lstatSync);
      if (canReplaceEntry(parentStat, entryStat, ids)) return entry;
      if (entryStat === undefined) break;
      parent = entry;
    }
  }
  return undefined;
}

function realpathOfExisting(dir: string): string {
  let missing = '';
  let at = dir;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), missing);
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return dir;
      missing = path.join(path.basename(at), missing);
      at = parent;
    }
  }
}

function statOrUndefined(p: string, stat: (p: string) => fs.Stats): fs.Stats | undefined {
  try {
    return stat(p);
  } catch {
    return undefined;
  }
}

/** A directory root will create (mkdir -p) is root's 0755. */
function statOrRoot(dir: string): Perms {
  return statOrUndefined(dir, fs.statSync) ?? { uid: 0, gid: 0, mode: 0o755 };
}
