/** Temp directories with ini files for config tests, removed by `cleanup()` in an after hook. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDirs {
  /** A fresh directory; `files` maps relative names to contents. */
  make(files?: Record<string, string>): string;
  cleanup(): void;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    make(files = {}) {
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-config-')));
      made.push(dir);
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The minimum that makes a valid configuration, to test one option at a time. */
export const MINIMAL = 'wsgi-file = app.js\nsocket = :8080\n';

/** Expects `fn` to throw a TsuwsgiError with this code; returns its message. */
export function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { code: e.code ?? 'none', message: e.message };
  }
  throw new Error('expected an error, got none');
}
