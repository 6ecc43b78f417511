/**
 * A thread's CPU time from /proc/self/task/TID/stat (Node 20 has no per-thread CPU clock;
 * process.threadCpuUsage came in 23.9), and its share of one CPU over a sliding window.
 */
import fs from 'node:fs';

/** The kernel's USER_HZ: /proc times are in these ticks (100 on every Linux Node supports). */
const TICKS_PER_S = 100;

/** utime + stime of a /proc/.../stat text, in ms; undefined when it does not parse. */
export function statCpuMs(text: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / TICKS_PER_S : undefined;
}

/** The CPU ms a thread of this process has used; undefined when it is gone or unknown. */
export function threadCpuMs(tid: number): number | undefined {
  if (tid <= 0) return undefined;
  try {
    return statCpuMs(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Samples of one thread's CPU time; share() is its CPU per wall time over the last windowMs. */
export class CpuWindow {
  private readonly samples: { at: number; cpuMs: number }[] = [];

  constructor(private readonly windowMs: number) {}

  add(at: number, cpuMs: number | undefined): void {
    if (cpuMs === undefined) {
      this.samples.length = 0;
      return;
    }
    this.samples.push({ at, cpuMs });
    while (this.samples.length > 2 && at - this.samples[1].at >= this.windowMs) this.samples.shift();
  }

  share(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last.at <= first.at) return 0;
    return Math.min(1, (last.cpuMs - first.cpuMs) / (last.at - first.at));
  }

  clear(): void {
    this.samples.length = 0;
  }
}
