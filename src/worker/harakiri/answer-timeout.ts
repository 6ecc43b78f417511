/**
 * The last words for a request harakiri stops: a 504 written straight to its fd (the fd is
 * process-wide, so another thread can write it while the owner is stuck), if the response head
 * has not gone out yet. Afterwards the thread or process is ended, which closes the fd.
 */
import fs from 'node:fs';
import { rawResponse } from '../../server/raw-response';

export function answerTimeout(fd: number, headSent: boolean): boolean {
  if (headSent || fd < 0) return false;
  try {
    fs.writeSync(fd, rawResponse(504, 'Gateway Timeout'));
    return true;
  } catch {
    return false;
  }
}
