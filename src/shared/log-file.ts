/**
 * The logto file as a LineBuffer sink that can be reopened by path (logrotate: the file was
 * renamed, a new one must be created under the old name).
 *
 * Why not sonic-boom's own reopen(): it only works when sonic-boom opened the path itself, and
 * it opens paths asynchronously (logger.ts opens the file synchronously for clear E_LOGTO
 * errors). So a reopen here opens the path synchronously and swaps in a new sync destination;
 * the old one is flushed first, so every line lands in exactly one of the two files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TsuwsgiError } from './errors';
import type { LineSink } from './line-buffer';
import { FdSink } from './fd-sink';

/** Who the file must belong to (the master passes the workers' ids; absent keys: unchanged). */
export interface LogOwner {
  readonly uid?: number;
  readonly gid?: number;
}

export class LogFile implements LineSink {
  private dest: FdSink;

  constructor(
    readonly file: string,
    private readonly owner: LogOwner = {},
  ) {
    this.dest = new FdSink(openLogFile(file, owner), file);
  }

  write(data: string | Buffer): void {
    this.dest.write(data);
  }

  flushSync(): void {
    this.dest.flushSync();
  }

  /**
   * Opens `file` again (creating it if it was moved away) and writes there from now on. Throws
   * E_LOGTO when it cannot be opened; the old file then stays in use.
   */
  reopen(): void {
    const fd = openLogFile(this.file, this.owner);
    const old = this.dest;
    this.dest = new FdSink(fd, this.file);
    // Nothing is pending on the old fd: every write was synchronous.
    old.close();
  }
}

/**
 * O_NOFOLLOW: a symlink at the path (the app's user may be able to write the log directory) is
 * ELOOP, not whatever it points to. O_CLOEXEC is added by libuv to every open. 0640 as uWSGI:
 * request lines are not for every local user.
 */
const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
const MODE = 0o640;

/**
 * Opened here, synchronously, rather than by pino (which opens a path asynchronously): a failure
 * is then one E_LOGTO line instead of a late 'error' event, and a process that exits right away
 * (a start error) does not trip pino's exit-time flushSync on a stream that is not open yet.
 *
 * What was opened is checked on the fd, never again by path: a regular file with exactly one
 * link (a hard link to /etc/shadow is a regular file too, and fchown would hand it over). Then,
 * when `owner` asks for it, the fd is chowned; a process that may not (an unprivileged master)
 * gets E_LOGTO, never a path-based retry.
 */
export function openLogFile(file: string, owner: LogOwner = {}): number {
  let fd: number;
  try {
    makeDirs(path.dirname(file));
    fd = fs.openSync(file, OPEN_FLAGS, MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link (refused: the log is never opened through one)' : (err as Error).message;
    throw new TsuwsgiError('E_LOGTO', `${file}: cannot open the log file: ${why}${code === 'EACCES' || code === 'EPERM' ? hintAsUser() : ''}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new TsuwsgiError('E_LOGTO', `${file}: cannot open the log file: it is not a regular file`);
    if (st.nlink !== 1) {
      throw new TsuwsgiError('E_LOGTO', `${file}: cannot open the log file: it has ${st.nlink} hard links (refused: it could be another file's name)`);
    }
    chownIfNeeded(fd, st, file, owner);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function chownIfNeeded(fd: number, st: fs.Stats, file: string, owner: LogOwner): void {
  const uid = owner.uid !== undefined && owner.uid !== st.uid ? owner.uid : -1;
  const gid = owner.gid !== undefined && owner.gid !== st.gid ? owner.gid : -1;
  if (uid === -1 && gid === -1) return;
  try {
    fs.fchownSync(fd, uid, gid);
  } catch (err) {
    const to = `${owner.uid ?? st.uid}:${owner.gid ?? st.gid}`;
    throw new TsuwsgiError(
      'E_LOGTO',
      `${file}: cannot give the log file to the workers (${to}), it is ${st.uid}:${st.gid}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}${hintAsUser()}`,
    );
  }
}

/** After the master dropped root, a failure is about what that user may do: say so. */
function hintAsUser(): string {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return '';
  return ` (this process runs as uid ${uid}: the log directory must be writable by that user, or the new file created for it, e.g. logrotate's "create 0640 USER GROUP")`;
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(dir, { recursive: true })` never returns
 * for a path under /proc (it retries ENOENT forever), and a logto typo must be an error.
 */
function makeDirs(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) makeDirs(parent);
  fs.mkdirSync(dir);
}
