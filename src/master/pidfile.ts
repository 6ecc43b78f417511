import fs from 'node:fs';
import { TsuwsgiError } from '../shared/errors';

export function writePidfile(path: string): void {
  try {
    fs.writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    throw new TsuwsgiError('E_PIDFILE', `${path}: cannot write the pidfile: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Removes the pidfile only if it still names this process (another master may own it now). */
export function removePidfile(path: string): void {
  try {
    if (fs.readFileSync(path, 'utf8').trim() === String(process.pid)) fs.unlinkSync(path);
  } catch {
    // Already gone.
  }
}
