/**
 * How many CPUs this process can keep busy: the CPUs it may run on (os.availableParallelism,
 * the affinity mask), capped by the CPU quota of its cgroup and of every cgroup above it (a
 * container's `--cpus`, systemd's CPUQuota=), which Node does not read. A worker beyond that
 * number can only run while another waits (accept turns, worker/accept-turn/).
 *
 * The parsers are pure (file text in, numbers out); `usableCpus` reads /proc and /sys through
 * `read`, and anything it cannot read means "no quota".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** A cgroup hierarchy that has the cpu controller: where it is mounted, and this process's cgroup in it. */
export interface CpuHierarchy {
  readonly version: 1 | 2;
  /** The mount point. */
  readonly mount: string;
  /** The mount's root within the hierarchy (a container sees its own cgroup as `/`, or as this). */
  readonly root: string;
  /** This process's cgroup, as /proc/self/cgroup names it. */
  readonly cgroup: string;
}

/** From /proc/self/mountinfo and /proc/self/cgroup: the hierarchy whose cpu controller limits this process. */
export function cpuHierarchy(mountinfo: string, procCgroup: string): CpuHierarchy | undefined {
  const groups = procCgroup.split('\n').filter(Boolean).map((l) => {
    const [id, controllers, ...rest] = l.split(':');
    return { id, controllers: (controllers ?? '').split(','), path: rest.join(':') };
  });
  const v1 = groups.find((g) => g.controllers.includes('cpu'));
  const v2 = groups.find((g) => g.id === '0' && g.controllers.length === 1 && g.controllers[0] === '');
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point options [optional…] - fstype source super-options
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const f = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    const root = f[3] ?? '/';
    const mount = f[4] ?? '';
    if (v1 !== undefined && fstype === 'cgroup' && superOptions.split(',').includes('cpu')) return { version: 1, mount, root, cgroup: v1.path };
    if (v1 === undefined && v2 !== undefined && fstype === 'cgroup2') return { version: 2, mount, root, cgroup: v2.path };
  }
  return undefined;
}

/** CPUs a cgroup's own limit allows (quota / period), undefined when it has none. */
export function quotaOf(version: 1 | 2, read: ReadText, dir: string): number | undefined {
  if (version === 2) {
    const [quota, period] = (read(path.join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
    return ratio(quota, period);
  }
  return ratio(read(path.join(dir, 'cpu.cfs_quota_us'))?.trim(), read(path.join(dir, 'cpu.cfs_period_us'))?.trim());
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  // "max" (v2) and -1 (v1) mean no limit.
  return Number.isFinite(q) && q > 0 && Number.isFinite(p) && p > 0 ? q / p : undefined;
}

/** The tightest quota on the way from this process's cgroup up to the mount's root. */
export function cgroupCpuLimit(h: CpuHierarchy, read: ReadText): number | undefined {
  const rel = h.root !== '/' && (h.cgroup === h.root || h.cgroup.startsWith(`${h.root}/`)) ? h.cgroup.slice(h.root.length) : h.cgroup;
  let limit: number | undefined;
  for (let dir = path.join(h.mount, rel); ; dir = path.dirname(dir)) {
    const q = quotaOf(h.version, read, dir);
    if (q !== undefined) limit = Math.min(limit ?? q, q);
    if (dir === h.mount || !dir.startsWith(`${h.mount}/`)) break;
  }
  return limit;
}

export function usableCpus(read: ReadText = readText, affinity = os.availableParallelism()): number {
  const h = cpuHierarchy(read('/proc/self/mountinfo') ?? '', read('/proc/self/cgroup') ?? '');
  const limit = h === undefined ? undefined : cgroupCpuLimit(h, read);
  // 1.5 CPUs can keep two workers partly busy: round up.
  return limit === undefined ? affinity : Math.max(1, Math.min(affinity, Math.ceil(limit)));
}
