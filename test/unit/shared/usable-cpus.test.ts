/** The CPUs a process can keep busy: its affinity, capped by its cgroup's CPU quota (v1 or v2, at any level). */
import { expect } from 'chai';
import { cgroupCpuLimit, cpuHierarchy, quotaOf, usableCpus, type ReadText } from '../../../src/shared/usable-cpus';

const files = (m: Record<string, string>): ReadText => (f) => m[f];

const MOUNTINFO_V1 = [
  '25 24 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
  '27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
].join('\n');
const MOUNTINFO_V2 = '30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate';
/** A container's view: the mount's root is its own cgroup. */
const MOUNTINFO_V2_CONTAINER = '30 24 0:26 /docker/abc /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw';

describe('shared/usable-cpus', () => {
  it('finds the v1 hierarchy with the cpu controller, whatever it is mounted with', () => {
    const h = cpuHierarchy(MOUNTINFO_V1, '5:memory:/x\n3:cpu,cpuacct:/app.slice/web.service\n0::/\n');
    expect(h).to.deep.equal({ version: 1, mount: '/sys/fs/cgroup/cpu,cpuacct', root: '/', cgroup: '/app.slice/web.service' });
  });

  it('finds the v2 hierarchy when no v1 hierarchy has the cpu controller', () => {
    expect(cpuHierarchy(MOUNTINFO_V2, '0::/system.slice/web.service\n')).to.deep.equal({ version: 2, mount: '/sys/fs/cgroup', root: '/', cgroup: '/system.slice/web.service' });
    expect(cpuHierarchy('', '0::/\n')).to.equal(undefined);
    expect(cpuHierarchy(MOUNTINFO_V2, '')).to.equal(undefined);
  });

  it('reads a quota as quota / period; max, -1, junk and missing files are no limit', () => {
    const read = files({ '/a/cpu.max': '150000 100000\n', '/b/cpu.max': 'max 100000\n', '/c/cpu.cfs_quota_us': '200000\n', '/c/cpu.cfs_period_us': '100000\n', '/d/cpu.cfs_quota_us': '-1\n', '/d/cpu.cfs_period_us': '100000\n', '/e/cpu.max': 'x y' });
    expect(quotaOf(2, read, '/a')).to.equal(1.5);
    expect(quotaOf(2, read, '/b')).to.equal(undefined);
    expect(quotaOf(1, read, '/c')).to.equal(2);
    expect(quotaOf(1, read, '/d')).to.equal(undefined);
    expect(quotaOf(2, read, '/e')).to.equal(undefined);
    expect(quotaOf(2, read, '/nowhere')).to.equal(undefined);
  });

  it('takes the tightest quota from the process cgroup up to the mount, and stops there', () => {
    const read = files({
      '/sys/fs/cgroup/cpu.max': '100000 100000',
      '/sys/fs/cgroup/system.slice/cpu.max': '300000 100000',
      '/sys/fs/cgroup/system.slice/web.service/cpu.max': 'max 100000',
    });
    const h = { version: 2 as const, mount: '/sys/fs/cgroup', root: '/', cgroup: '/system.slice/web.service' };
    expect(cgroupCpuLimit(h, read)).to.equal(1);
    expect(cgroupCpuLimit({ ...h, mount: '/sys/fs/cgroup/system.slice' }, files({ '/sys/fs/cgroup/cpu.max': '100000 100000' }))).to.equal(undefined);
  });

  it('in a container whose mount root is its own cgroup, reads the files at the mount', () => {
    const h = cpuHierarchy(MOUNTINFO_V2_CONTAINER, '0::/docker/abc\n')!;
    expect(cgroupCpuLimit(h, files({ '/sys/fs/cgroup/cpu.max': '200000 100000' }))).to.equal(2);
  });

  it('the usable CPUs: the affinity capped by the quota rounded up, never below 1', () => {
    const base = { '/proc/self/mountinfo': MOUNTINFO_V2, '/proc/self/cgroup': '0::/svc\n' };
    expect(usableCpus(files({ ...base, '/sys/fs/cgroup/svc/cpu.max': '150000 100000' }), 8)).to.equal(2);
    expect(usableCpus(files({ ...base, '/sys/fs/cgroup/svc/cpu.max': '1000 100000' }), 8)).to.equal(1);
    expect(usableCpus(files({ ...base, '/sys/fs/cgroup/svc/cpu.max': '1600000 100000' }), 8)).to.equal(8);
    expect(usableCpus(files(base), 8)).to.equal(8);
    expect(usableCpus(files({}), 3)).to.equal(3);
  });

  it('on this machine: a whole number between 1 and the affinity', () => {
    const n = usableCpus();
    expect(Number.isInteger(n) && n >= 1).to.equal(true);
  });
});
