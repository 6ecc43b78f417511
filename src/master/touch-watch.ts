/** uWSGI's touch-reload: a changed mtime on any of the files calls `onTouch` once per change. */
import fs from 'node:fs';

const EVERY_MS = 1000;

export function watchTouchFiles(files: readonly string[], onTouch: (file: string) => void): () => void {
  if (files.length === 0) return () => undefined;
  const seen = new Map(files.map((f) => [f, mtimeOf(f)]));
  const timer = setInterval(() => {
    for (const [file, before] of seen) {
      const now = mtimeOf(file);
      if (now !== before) {
        seen.set(file, now);
        // A file that appears counts as touched; one that disappears does not.
        if (now !== undefined) onTouch(file);
      }
    }
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
