/**
 * What a root Emperor agrees to start, and as whom. A vassal runs code (its app) with the
 * privileges it starts with, so whoever can write a vassal file, or swap the directory it is
 * read from, decides what runs as that user:
 *
 * - with emperor-tyrant, a vassal runs as the owner and group of its file (uWSGI's tyrant): a
 *   user who can write only their own files runs code only as themselves. A file owned by
 *   root runs as root, and its own uid/gid options apply (the vassal's master drops to them);
 * - without it, a root Emperor runs every vassal as root, so it starts only root's files;
 * - either way the file must be a regular file with one link, writable by its owner only, and
 *   no directory on the way to it may be replaceable by a user other than root (they could
 *   swap in a directory of their own, or a symlink to root's files meant for something else).
 *   Without tyrant the directory itself must be root's alone, too.
 *
 * An Emperor that is not root runs every vassal as itself, and nothing here applies: its
 * files are its user's business (symlinked vassals, uWSGI's "skel" layout, work then).
 * Mode bits and owners only; ACLs are not read.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FileFacts {
  readonly isSymlink: boolean;
  readonly isFile: boolean;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly nlink: number;
}

export interface Perms {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export interface Credentials {
  readonly uid: number;
  readonly gid: number;
}

/** ok: start it, as `runAs` (undefined: as the Emperor's own user). */
export type Verdict = { readonly ok: true; readonly runAs: Credentials | undefined } | { readonly ok: false; readonly why: string };

export function judgeVassalFile(f: FileFacts, opts: { readonly root: boolean; readonly tyrant: boolean }): Verdict {
  if (!opts.root) return { ok: true, runAs: undefined };
  if (f.isSymlink) return refuse('is a symlink: a root Emperor starts only the regular file itself');
  if (!f.isFile) return refuse('is not a regular file');
  if (f.nlink !== 1) return refuse(`has ${f.nlink} hard links: another name could change it under another owner's rules`);
  if ((f.mode & 0o022) !== 0) return refuse(`is group- or world-writable (mode ${(f.mode & 0o777).toString(8).padStart(3, '0')}): only its owner may be able to change what it runs`);
  if (!opts.tyrant) {
    if (f.uid === 0) return { ok: true, runAs: undefined };
    return refuse(`is owned by uid ${f.uid}, not root: a root Emperor without emperor-tyrant runs vassals as root (set emperor-tyrant = true to run each as its file's owner)`);
  }
  if (f.uid === 0) return { ok: true, runAs: undefined };
  if (f.gid === 0) return refuse(`is owned by uid ${f.uid} with group root: under emperor-tyrant a vassal never runs with group root`);
  return { ok: true, runAs: { uid: f.uid, gid: f.gid } };
}

function refuse(why: string): Verdict {
  return { ok: false, why };
}

/** Some user other than root can write it: owned by one, or writable by a group other than root's, or by all. */
export function writableByOthers(p: Perms): boolean {
  return p.uid !== 0 || ((p.mode & 0o020) !== 0 && p.gid !== 0) || (p.mode & 0o002) !== 0;
}

/** Some user other than root can rename, remove or create `entry` (undefined: absent) in `parent`. */
export function replaceableByOthers(parent: Perms, entry: Perms | undefined): boolean {
  if (!writableByOthers(parent)) return false;
  const sticky = (parent.mode & 0o1000) !== 0;
  // In a sticky directory (/tmp) only an entry's owner or the directory's owner may.
  if (!sticky || parent.uid !== 0 || entry === undefined) return true;
  return entry.uid !== 0;
}

/**
 * Why a root Emperor must not read vassals from `dir` (undefined: it may): the first entry on
 * the way a non-root user could replace, following the path as given and, where it differs,
 * the real path; without tyrant also a directory such a user can write.
 */
export function vassalDirProblem(dir: string, tyrant: boolean): string | undefined {
  const real = realpathOr(dir);
  for (const way of real === dir ? [dir] : [dir, real]) {
    let parent = '/';
    for (const name of way.split('/').filter(Boolean)) {
      const entry = path.join(parent, name);
      const parentStat = statOf(parent, fs.statSync);
      const entryStat = statOf(entry, fs.lstatSync);
      if (parentStat === undefined || entryStat === undefined) return `${entry} does not exist`;
      if (replaceableByOthers(parentStat, entryStat)) return `${entry} can be replaced by a user other than root (${parent} is writable by one)`;
      parent = entry;
    }
  }
  const st = statOf(real, fs.statSync);
  if (st === undefined || !st.isDirectory()) return `${dir} is not a directory`;
  if (!tyrant && writableByOthers(st)) return `${dir} is writable by a user other than root, who could add a vassal that root would run (use emperor-tyrant to run each vassal as its file's owner)`;
  return undefined;
}

export function factsOf(st: fs.Stats): FileFacts {
  return { isSymlink: st.isSymbolicLink(), isFile: st.isFile(), uid: st.uid, gid: st.gid, mode: st.mode, nlink: st.nlink };
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function statOf(p: string, stat: (p: string) => fs.Stats): fs.Stats | undefined {
  try {
    return stat(p);
  } catch {
    return undefined;
  }
}
