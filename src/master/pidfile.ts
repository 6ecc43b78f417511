/**
 * The pidfile, written by a root master in a directory someone else may be able to write.
 * Never through the path itself (writeFileSync would follow a symlink there and truncate its
 * target): the pid goes into a new file created with O_EXCL|O_NOFOLLOW next to it, which then
 * replaces the path with rename(). rename() replaces a symlink itself, never what it points to,
 * and the temp name cannot be pre-planted (O_EXCL fails on anything already there, symlinks
 * included).
 */
import fs from 'node:fs';
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';

const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

export function writePidfile(file: string): void {
  // node:crypto only here: loaded at start it would cost every master ~0.2 MB of heap, and most
  // have no pidfile (docs/design-notes.md, "Memory").
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}`);
  try {
    const fd = fs.openSync(temp, CREATE, 0o644);
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new TsuwsgiError('E_PIDFILE', `${file}: cannot write the pidfile: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Removes the pidfile only if it is still a regular file naming this process (another master
 * may own the path now). Returns what happened; an unlink error is returned, not thrown.
 */
export function removePidfile(file: string): 'removed' | 'gone' | 'not-ours' | NodeJS.ErrnoException {
  if (readPidfile(file) !== String(process.pid)) return exists(file) ? 'not-ours' : 'gone';
  try {
    fs.unlinkSync(file);
    return 'removed';
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

/** The pid written there, read without following a symlink nor blocking on a FIFO. */
function readPidfile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(32);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('latin1').trim();
  } finally {
    fs.closeSync(fd);
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
