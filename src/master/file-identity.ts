/**
 * Which file a path names: device and inode, read when the master created the file, so that at
 * exit it removes that file and not one another server has put at the same path since.
 */
import fs from 'node:fs';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

export function identityOf(st: fs.Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino };
}

/** 'ours', 'gone', or 'replaced' (something else is at the path now); never follows a symlink. */
export function whatIsAt(file: string, id: FileIdentity): 'ours' | 'gone' | 'replaced' {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return 'gone';
  }
  return st.dev === id.dev && st.ino === id.ino ? 'ours' : 'replaced';
}
