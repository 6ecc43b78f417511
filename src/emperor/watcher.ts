/**
 * Tells the Emperor when to look at the vassal files again: at once when inotify (fs.watch)
 * reports anything in a watched directory, and every emperor-freq seconds anyway, as the
 * safety net uWSGI's scan is: inotify misses changes on some filesystems (NFS, some bind
 * mounts), a directory that appears later has no watch yet, and a watch dies with its
 * directory. It never says what changed; the Emperor rescans and compares.
 */
import fs from 'node:fs';

/** Editors and deploy tools write a file in a few steps: one rescan for the burst. */
const SETTLE_MS = 50;

export class ChangeWatcher {
  private readonly watches = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly freqMs: number,
    private readonly onChange: (why: string) => void,
  ) {}

  /** The rescan timer also keeps the Emperor alive while no vassal runs (an empty directory). */
  start(): void {
    this.timer = setInterval(() => this.onChange('rescan'), this.freqMs);
  }

  /** Watches exactly these directories from now on. */
  watchDirs(dirs: readonly string[]): void {
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watches) {
      if (!wanted.has(dir)) this.unwatch(dir, w);
    }
    for (const dir of wanted) if (!this.watches.has(dir)) this.watch(dir);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.pending !== undefined) clearTimeout(this.pending);
    for (const [dir, w] of this.watches) this.unwatch(dir, w);
  }

  private watch(dir: string): void {
    let w: fs.FSWatcher;
    try {
      w = fs.watch(dir, { persistent: false }, () => this.changed(`inotify ${dir}`));
    } catch {
      return; // gone or unreadable: the next rescan finds it again, or not
    }
    // A watched directory removed or renamed: drop the watch; the rescan decides what is left.
    w.on('error', () => {
      this.unwatch(dir, w);
      this.changed(`watch lost on ${dir}`);
    });
    this.watches.set(dir, w);
  }

  private unwatch(dir: string, w: fs.FSWatcher): void {
    w.close();
    if (this.watches.get(dir) === w) this.watches.delete(dir);
  }

  private changed(why: string): void {
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.onChange(why);
    }, SETTLE_MS);
  }
}
