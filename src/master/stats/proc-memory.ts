/** A process's resident and virtual size from /proc/PID/status, read by the master (no worker involved). */
import fs from 'node:fs';

export interface ProcMemory {
  readonly rssBytes: number;
  readonly vszBytes: number;
}

export function procMemory(pid: number): ProcMemory {
  try {
    return parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return { rssBytes: 0, vszBytes: 0 };
  }
}

/** "VmRSS:   51234 kB" and "VmSize: …" lines → bytes. */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m === null ? 0 : Number(m[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), vszBytes: kb('VmSize') };
}
