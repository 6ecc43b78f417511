/**
 * A real cgroup with a CPU quota, for a server started inside it (root only): v1's cpu
 * hierarchy where the host has one, else cgroup v2 (with the cpu controller enabled at its root).
 * `node` is a wrapper that moves itself into the cgroup and execs node, for startServer's `node`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cpuHierarchy } from '../../src/shared/usable-cpus';

export interface CpuCgroup {
  readonly dir: string;
  readonly node: string;
  /** Once every process in it is gone. */
  remove(): void;
}

export function cpuCgroup(cpus: number, scratch: string): CpuCgroup {
  const h = cpuHierarchy(fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'));
  if (h === undefined) throw new Error('this test needs a cgroup hierarchy with the cpu controller (v1 cpu, or cgroup2) mounted');
  const dir = path.join(h.mount, `tsuwsgi-test-${process.pid}-${Date.now()}`);
  if (h.version === 2) {
    // The cpu controller must be on for the root's children (systemd hosts have it).
    try {
      fs.writeFileSync(path.join(h.mount, 'cgroup.subtree_control'), '+cpu');
    } catch {
      // Already on, or not ours to turn on: the write of cpu.max below says which.
    }
  }
  fs.mkdirSync(dir);
  try {
    if (h.version === 1) {
      fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), '100000');
      fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(cpus * 100000));
    } else {
      fs.writeFileSync(path.join(dir, 'cpu.max'), `${cpus * 100000} 100000`);
    }
  } catch (err) {
    fs.rmdirSync(dir);
    throw new Error(`cannot set a CPU quota on ${dir} (root and a writable cgroup cpu controller needed): ${(err as Error).message}`);
  }
  const node = path.join(scratch, 'node-in-cgroup.sh');
  fs.writeFileSync(node, `#!/bin/sh\necho $$ > '${path.join(dir, 'cgroup.procs')}' || exit 97\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  return {
    dir,
    node,
    remove: () => fs.rmdirSync(dir),
  };
}
