/**
 * The master's side of accept turns (worker/accept-turn/): it creates the board, gives each
 * worker it forks a record (a seat) and frees the record when that process exits, zeroing it so
 * that the siblings stop counting the worker at once rather than when its record goes stale.
 *
 * The board is a file created with O_EXCL and mode 0600 and unlinked at once: only processes
 * the master hands the fd to can reach it, and nothing is left behind, whatever way the master
 * ends. /dev/shm first (memory), the temp dir otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../shared/config';
import { boardCapacity, decodeRecord, RECORD_BYTES, type TurnRecord } from '../shared/turn-board';
import { mainThreadServes } from '../shared/main-serves';
import { usableCpus } from '../shared/usable-cpus';

/** Records even when processes is small, so that a reload to more processes still finds seats. */
const MIN_RECORDS = 64;

/**
 * How many workers accept while none is saturated (or serving long requests); 0 when every worker
 * always accepts. auto: the CPUs where there are more workers than CPUs; one where there are not,
 * since a second polling worker costs a wake-up a connection (a fifth of a small request on the
 * hosts measured) and is needed only once the first is saturated or its requests are long
 * (docs/design-notes.md, "Accept turns").
 */
export function acceptingFor(config: Pick<Config, 'acceptingWorkers' | 'processes' | 'cheaper' | 'threads' | 'threadsMin'>, cpus = usableCpus()): number {
  // With cheaper the number of workers follows the load already; a supervising main thread (threads-min > 1) serves nothing.
  if (config.cheaper > 0 || !mainThreadServes(config)) return 0;
  const k = config.acceptingWorkers === 'auto' ? (config.processes > cpus ? cpus : 1) : config.acceptingWorkers;
  return k > 0 && k < config.processes ? k : 0;
}

export class TurnBoardFile {
  private readonly free: number[];

  private constructor(
    readonly fd: number,
    readonly capacity: number,
  ) {
    this.free = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
  }

  /** Undefined when no directory takes the file: then every worker always accepts. */
  static create(processes: number, dirs = [path.join('/dev', 'shm'), os.tmpdir()]): TurnBoardFile | undefined {
    const capacity = Math.max(MIN_RECORDS, boardCapacity(processes));
    for (const dir of dirs) {
      const file = path.join(dir, `tsuwsgi-turns-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
      let fd: number;
      try {
        fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      } catch {
        continue;
      }
      try {
        fs.unlinkSync(file);
        fs.ftruncateSync(fd, capacity * RECORD_BYTES);
        return new TurnBoardFile(fd, capacity);
      } catch {
        fs.closeSync(fd);
      }
    }
    return undefined;
  }

  /** A record for a worker about to be forked; undefined when the board is full (it then always accepts). */
  take(): number | undefined {
    const slot = this.free.pop();
    if (slot !== undefined) this.clear(slot);
    return slot;
  }

  /** A record as its worker last wrote it; undefined when it cannot be read. */
  read(slot: number): TurnRecord | undefined {
    const buf = Buffer.alloc(RECORD_BYTES);
    try {
      if (fs.readSync(this.fd, buf, 0, RECORD_BYTES, slot * RECORD_BYTES) !== RECORD_BYTES) return undefined;
    } catch {
      return undefined;
    }
    return { ...decodeRecord(buf, 0), slot };
  }

  /** The worker's process is gone (or never started). */
  release(slot: number): void {
    this.clear(slot);
    if (!this.free.includes(slot)) this.free.push(slot);
  }

  private clear(slot: number): void {
    try {
      fs.writeSync(this.fd, Buffer.alloc(RECORD_BYTES), 0, RECORD_BYTES, slot * RECORD_BYTES);
    } catch {
      // A board that cannot be written leaves the record to go stale, which its siblings see within STALE_MS.
    }
  }
}
