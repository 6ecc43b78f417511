/**
 * How long the calling thread has run on a CPU and waited for one, from the kernel's
 * /proc/thread-self/schedstat ("run_ns wait_ns timeslices"). Opened once, by the thread that
 * samples it (the path names the thread that opens it), and read again with pread at offset 0:
 * one syscall a sample. Where the file is missing (a kernel without schedstats, no /proc), every
 * sample is undefined and the caller treats the wait as 0.
 */
import fs from 'node:fs';

export interface CpuTimes {
  readonly runNs: number;
  readonly waitNs: number;
  /** When it was read (the monotonic clock, ns); 0 from parseSchedstat. */
  readonly atNs: number;
}

/** Pure: the first two numbers of a schedstat line, or undefined. */
export function parseSchedstat(text: string): CpuTimes | undefined {
  const m = /^(\d+) (\d+)/.exec(text);
  if (m === null) return undefined;
  return { runNs: Number(m[1]), waitNs: Number(m[2]), atNs: 0 };
}

/**
 * The share of the time from `from` to `to` that the thread spent waiting for a CPU. Of the
 * elapsed time, not of the time it was runnable: a loop that sleeps in the app and wants a CPU
 * now and then waits little of the elapsed time even when the CPUs are busy with other work.
 */
export function waitShare(from: CpuTimes, to: CpuTimes): number {
  const elapsed = to.atNs - from.atNs;
  const wait = to.waitNs - from.waitNs;
  return elapsed > 0 && wait > 0 ? Math.min(1, wait / elapsed) : 0;
}

export class ThreadCpuClock {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(96);

  constructor(path = '/proc/thread-self/schedstat') {
    try {
      this.fd = fs.openSync(path, 'r');
    } catch {
      this.fd = undefined;
    }
  }

  sample(): CpuTimes | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, 0);
      const times = parseSchedstat(this.buf.toString('latin1', 0, n));
      return times === undefined ? undefined : { ...times, atNs: Number(process.hrtime.bigint()) };
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already gone: nothing to release.
    }
    this.fd = undefined;
  }
}
