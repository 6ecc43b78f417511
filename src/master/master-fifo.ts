/**
 * The master FIFO (uWSGI's `master-fifo`): `echo r > PATH` asks the master for a reload, etc.
 * Node has no mkfifo(), so the coreutils binary creates it. It is opened read-write: a
 * read-only FIFO would see end-of-file each time a writer closes it and need reopening.
 */
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';

export interface MasterFifo {
  close(): void;
}

export function openMasterFifo(file: string, onCommand: (command: string) => void): MasterFifo {
  try {
    if (fs.lstatSync(file).isFIFO()) fs.unlinkSync(file);
  } catch {
    // absent: nothing to replace
  }
  execFileSync('mkfifo', ['-m', '600', file]);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const stream = new net.Socket({ fd, readable: true, writable: false });
  stream.setEncoding('latin1');
  stream.on('data', (text: string) => {
    for (const command of text) if (command.trim() !== '') onCommand(command);
  });
  stream.unref();
  return {
    close: () => stream.destroy(),
  };
}
