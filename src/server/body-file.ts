/**
 * post-buffering's temp file for one request body (post-buffer.ts): written as the body
 * arrives, read back as the app reads its request, closed once the request is done with it.
 *
 * Created as uWSGI's uwsgi_tmpfd() creates it: O_TMPFILE, a file that never has a name (nothing
 * can open it by path, and nothing is left behind whatever happens to the process), else, where
 * the filesystem cannot (ENOTSUP, EISDIR on kernels without it), a random name created
 * O_CREAT|O_EXCL|O_NOFOLLOW and unlinked at once. Either way 0600, the worker's user's; the
 * file lives as long as its fd. Writes and reads are asynchronous (libuv's threadpool), so a
 * slow disk holds only its own request; the source is held (false from write()) while too much
 * waits to be written.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Linux's O_TMPFILE (__O_TMPFILE | O_DIRECTORY); Node does not export it. */
const O_TMPFILE = process.platform === 'linux' ? 0o20000000 | fs.constants.O_DIRECTORY : 0;
const NAMED_FLAGS = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
/** What open(2) answers when the filesystem or the kernel has no O_TMPFILE. */
const NO_TMPFILE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EINVAL']);

/**
 * A new unnamed file in `dir`, open for reading and writing; throws open(2)'s error.
 * `unnamed` false skips O_TMPFILE (the fallback, for tests).
 */
export function openBodyFile(dir: string, unnamed = O_TMPFILE !== 0): number {
  if (unnamed) {
    try {
      return fs.openSync(dir, fs.constants.O_RDWR | O_TMPFILE, 0o600);
    } catch (err) {
      if (!NO_TMPFILE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  return openNamedThenUnlink(dir);
}

function openNamedThenUnlink(dir: string): number {
  // node:crypto only here (no O_TMPFILE): loaded with the module it cost every worker ~0.2 MB of
  // heap for a path most never take.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const crypto = require('node:crypto') as typeof import('node:crypto');
  for (let attempt = 0; ; attempt++) {
    const file = path.join(dir, `tsuwsgi-body-${crypto.randomBytes(8).toString('hex')}`);
    let fd: number;
    try {
      fd = fs.openSync(file, NAMED_FLAGS, 0o600);
    } catch (err) {
      // A name taken (64 random bits: someone is guessing): another name.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw err;
    }
    try {
      fs.unlinkSync(file);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return fd;
  }
}

/** Queued bytes are written once they reach `bufsize`, or when they are the body's last. */
export function shouldWrite(queued: number, bufsize: number, last: boolean): boolean {
  return queued > 0 && (queued >= bufsize || last);
}

/** The source is held while this much waits to be written: a few writes' worth, at least 1 MiB. */
export function holdAt(bufsize: number): number {
  return Math.max(4 * bufsize, 1 << 20);
}

/** What the file tells its request (post-buffer.ts). */
export interface BodyFileEvents {
  /** Everything given to write() is in the file, after finish(). */
  written(): void;
  /** The queue is below holdAt again after write() said false: let the source send more. */
  drained(): void;
  /** A write or a read failed; the file is closed. */
  failed(err: Error): void;
  /** read(): the next part of the body; `last` when nothing follows. */
  chunk(data: Buffer, last: boolean): void;
}

export class BodyFile {
  private queue: Buffer[] = [];
  private queued = 0;
  /** Bytes in the file or on their way to it. */
  private size = 0;
  private readAt = 0;
  private finished = false;
  private held = false;
  /** A write or read is in the threadpool: the fd may not be closed (its number could be reused). */
  private busy = false;
  private closed = false;
  /** Bytes of the write in flight. */
  private writing = 0;
  private reportedWritten = false;

  constructor(
    private readonly fd: number,
    private readonly bufsize: number,
    private readonly events: BodyFileEvents,
  ) {}

  /** Queues a chunk; false when the source should wait for drained(). */
  write(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.flush();
    if (this.queued < holdAt(this.bufsize)) return true;
    this.held = true;
    return false;
  }

  /** The body is whole: write what is queued, then written(). */
  finish(): void {
    this.finished = true;
    this.flush();
  }

  /** Reads the next part (bufsize bytes at most) from the start of the file; answers with chunk(). */
  read(): void {
    if (this.busy || this.closed) return;
    const length = Math.min(this.bufsize, this.size - this.readAt);
    if (length === 0) {
      this.events.chunk(Buffer.alloc(0), true);
      return;
    }
    this.busy = true;
    fs.read(this.fd, Buffer.allocUnsafe(length), 0, length, this.readAt, this.afterRead);
  }

  /** Closes the fd now, or once the write or read in flight returns; nothing is reported after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    if (!this.busy) fs.close(this.fd, ignore);
  }

  private flush(): void {
    if (this.busy || this.closed) return;
    if (!shouldWrite(this.queued, this.bufsize, this.finished)) {
      if (this.finished && this.queued === 0 && !this.reportedWritten) {
        this.reportedWritten = true;
        this.events.written();
      }
      return;
    }
    const buffers = this.queue;
    this.writing = this.queued;
    this.queue = [];
    this.queued = 0;
    this.busy = true;
    fs.writev(this.fd, buffers, this.size, this.afterWrite);
    this.size += this.writing;
  }

  private readonly afterWrite = (err: NodeJS.ErrnoException | null, written: number): void => {
    const length = this.writing;
    this.busy = false;
    if (this.closed) {
      fs.close(this.fd, ignore);
      return;
    }
    // A regular file writes short only when it cannot take more (ENOSPC, a quota).
    if (err === null && written < length) err = Object.assign(new Error(`short write: ${written} of ${length} bytes (disk full?)`), { code: 'ENOSPC' });
    if (err !== null) {
      this.fail(err);
      return;
    }
    if (this.held && this.queued < holdAt(this.bufsize)) {
      this.held = false;
      this.events.drained();
    }
    this.flush();
  };

  private readonly afterRead = (err: NodeJS.ErrnoException | null, n: number, data: Buffer): void => {
    this.busy = false;
    if (this.closed) {
      fs.close(this.fd, ignore);
      return;
    }
    if (err === null && n === 0) err = new Error(`the temp file ended at ${this.readAt} of ${this.size} bytes`);
    if (err !== null) {
      this.fail(err);
      return;
    }
    this.readAt += n;
    this.events.chunk(n === data.length ? data : data.subarray(0, n), this.readAt >= this.size);
  };

  private fail(err: Error): void {
    this.close();
    this.events.failed(err);
  }
}

function ignore(): void {
  // Closing a temp file that is gone anyway: nothing to do about an error.
}
