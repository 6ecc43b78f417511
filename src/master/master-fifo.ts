/**
 * The master FIFO (uWSGI's `master-fifo`): `echo r > PATH` asks the master for a reload, etc.
 * Node has no mkfifo(), so the coreutils binary creates it (mode 0600; mkfifo(1) never follows
 * a symlink and fails on anything already at the path). It is opened read-write: a read-only
 * FIFO would see end-of-file each time a writer closes it and need reopening.
 *
 * A FIFO already there is another master's while something reads it: opening it write-only
 * without blocking fails with ENXIO only when nobody does (this master itself holds its FIFO
 * open read-write for its whole life). A live one is refused, like a live unix socket; a dead
 * one is replaced. Anything else at the path (a file, a symlink) is refused.
 */
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { TsuwsgiError } from '../shared/errors';
import { identityOf } from './file-identity';
import type { CreatedFile } from './vacuum';

export interface MasterFifo {
  /** What vacuum may remove: the FIFO this master created. */
  readonly file: CreatedFile;
  close(): void;
}

const { O_RDWR, O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

export function openMasterFifo(file: string, onCommand: (command: string) => void): MasterFifo {
  clearStaleFifo(file);
  try {
    execFileSync('mkfifo', ['-m', '600', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim().split('\n')[0];
    throw new TsuwsgiError('E_FIFO', `master-fifo ${file}: cannot create it: ${stderr || (err as Error).message}`);
  }
  const fd = openOurs(file);
  const identity = identityOf(fs.fstatSync(fd));
  const stream = new net.Socket({ fd, readable: true, writable: false });
  stream.setEncoding('latin1');
  stream.on('data', (text: string) => {
    for (const command of text) if (command.trim() !== '') onCommand(command);
  });
  stream.unref();
  return {
    file: { path: file, identity },
    close: () => stream.destroy(),
  };
}

function clearStaleFifo(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return;
  }
  if (!st.isFIFO()) throw new TsuwsgiError('E_FIFO', `master-fifo ${file}: exists and is not a FIFO; refusing to replace it`);
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Nobody reads it: left by a master that died.
    if (code === 'ENXIO') fs.unlinkSync(file);
    if (code === 'ENXIO' || code === 'ENOENT') return;
    throw new TsuwsgiError('E_FIFO', `master-fifo ${file}: cannot tell whether another master reads it (${code}); refusing to replace it`);
  }
  fs.closeSync(fd);
  throw new TsuwsgiError('E_FIFO_IN_USE', `master-fifo ${file}: another master is reading this FIFO; refusing to take it over`);
}

/** The FIFO just made, opened without following a symlink and checked on the fd. */
function openOurs(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDWR | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    throw new TsuwsgiError('E_FIFO', `master-fifo ${file}: cannot open it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFIFO() || st.nlink !== 1 || st.uid !== (process.geteuid?.() ?? 0)) {
    fs.closeSync(fd);
    throw new TsuwsgiError('E_FIFO', `master-fifo ${file}: replaced right after it was created; refusing to use it`);
  }
  return fd;
}
