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
import pino from 'pino';
import { TsuwsgiError } from './errors';
import type { LineSink } from './line-buffer';

type Destination = ReturnType<typeof pino.destination>;

export class LogFile implements LineSink {
  private dest: Destination;

  constructor(readonly file: string) {
    this.dest = destinationFor(openLogFile(file));
  }

  write(text: string): void {
    this.dest.write(text);
  }

  flushSync(): void {
    this.dest.flushSync();
  }

  /**
   * Opens `file` again (creating it if it was moved away) and writes there from now on. Throws
   * E_LOGTO when it cannot be opened; the old file then stays in use.
   */
  reopen(): void {
    const fd = openLogFile(this.file);
    const old = this.dest;
    old.flushSync();
    this.dest = destinationFor(fd);
    // Closes the old fd (asynchronously; nothing is pending on it any more).
    old.destroy();
  }
}

function destinationFor(fd: number): Destination {
  // Synchronous, behind a buffer that writes at most every 20 ms (line-buffer.ts).
  return pino.destination({ dest: fd, sync: true });
}

/**
 * Opened here, synchronously, rather than by pino (which opens a path asynchronously): a failure
 * is then one E_LOGTO line instead of a late 'error' event, and a process that exits right away
 * (a start error) does not trip pino's exit-time flushSync on a stream that is not open yet.
 */
export function openLogFile(file: string): number {
  try {
    makeDirs(path.dirname(file));
    return fs.openSync(file, 'a');
  } catch (err) {
    throw new TsuwsgiError('E_LOGTO', `${file}: cannot open the log file: ${(err as Error).message}`);
  }
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
