/** Temp dirs that are removed after the run, even when a test fails. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dirs: string[] = [];

export function tempDir(prefix = 'tsuwsgi-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  while (dirs.length > 0) fs.rmSync(dirs.pop() as string, { recursive: true, force: true });
}
