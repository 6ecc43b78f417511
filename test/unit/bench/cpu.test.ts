import { expect } from 'chai';
import { benchLib } from './helpers.js';

const { parseProcStat, busyShare, parsePidStat, otherCpu, snapshot, startOtherCpu } = benchLib('cpu');

type Proc = { pid: number; comm: string; ppid: number; own: number; ticks: number };
const snap = (busy: number, total: number, procs: Proc[]) => ({ stat: { busy, total }, procs: new Map(procs.map((p) => [p.pid, p])) });
const p = (pid: number, ticks: number, comm = `p${pid}`, ppid = 1, own = ticks): Proc => ({ pid, comm, ppid, own, ticks });

describe('bench/cpu', () => {
  describe('parseProcStat', () => {
    it('reads busy and total jiffies (idle + iowait are idle; guest is already in user)', () => {
      const text = 'cpu  100 5 50 800 20 1 2 3 7 0\ncpu0 50 2 25 400 10 0 1 1 3 0\nintr 1 2\n';
      expect(parseProcStat(text)).to.deep.equal({ busy: 161, total: 981 });
    });
    it('is null without a "cpu " line', () => {
      expect(parseProcStat('intr 1\n')).to.equal(null);
      expect(parseProcStat('cpu0 1 2 3 4\n')).to.equal(null);
    });
  });

  describe('busyShare', () => {
    it('is the busy part of the elapsed jiffies', () => {
      expect(busyShare({ busy: 100, total: 1000 }, { busy: 150, total: 1200 })).to.equal(0.25);
      expect(busyShare({ busy: 0, total: 0 }, { busy: 0, total: 100 })).to.equal(0);
    });
    it('is null when nothing elapsed or a reading is missing', () => {
      expect(busyShare({ busy: 0, total: 100 }, { busy: 0, total: 100 })).to.equal(null);
      expect(busyShare(null, { busy: 1, total: 2 })).to.equal(null);
    });
  });

  describe('parsePidStat', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line = (comm: string) => `4242 (${comm}) S 17 4242 4242 0 -1 4194560 100 0 0 0 30 12 5 3 20 0 1 0 99 1000 50 18446744073709551615`;

    it('reads pid, comm, ppid and utime + stime + cutime + cstime', () => {
      expect(parsePidStat(line('node'))).to.deep.equal({ pid: 4242, comm: 'node', ppid: 17, own: 42, ticks: 50 });
    });
    it('copes with spaces and parentheses in comm', () => {
      expect(parsePidStat(line('nginx: worker'))).to.include({ comm: 'nginx: worker', ppid: 17, ticks: 50 });
      expect(parsePidStat(line('a) S 1 (b'))).to.include({ comm: 'a) S 1 (b', ppid: 17, ticks: 50 });
    });
    it('is null for truncated or garbled text', () => {
      expect(parsePidStat('')).to.equal(null);
      expect(parsePidStat('4242 (node) S 17 1 2')).to.equal(null);
      expect(parsePidStat('x (node) S 17 4242 4242 0 -1 0 0 0 0 0 1 1 1 1 20')).to.equal(null);
    });
  });

  describe('otherCpu', () => {
    it('sums the growth of processes that are neither the bench\'s nor kernel threads', () => {
      const a = snap(0, 0, [p(10, 100), p(11, 0, 'ours'), p(12, 50, 'kworker/0:1', 2), p(2, 5, 'kthreadd', 0)]);
      const b = snap(300, 1000, [p(10, 200), p(11, 400, 'ours'), p(12, 250, 'kworker/0:1', 2), p(2, 9, 'kthreadd', 0)]);
      const r = otherCpu(a, b, new Set([11]));
      expect(r.share).to.equal(0.1);
      expect(r.top).to.deep.equal([{ pid: 10, comm: 'p10', share: 0.1 }]);
    });
    it('counts a process that appeared in full, and a reaped one through its parent\'s c-fields', () => {
      const a = snap(0, 0, [p(20, 100, 'bash', 1, 100), p(21, 300, 'make')]);
      // make (21) ran 20 more ticks, exited and bash reaped it: bash's ticks gain make's 320 (its
      // own CPU only 5); cc1 (22) is new.
      const b = snap(0, 1000, [p(20, 425, 'bash', 1, 105), p(22, 40, 'cc1')]);
      const r = otherCpu(a, b, new Set());
      expect(r.share).to.be.closeTo((425 + 40 - 400) / 1000, 1e-12);
      // per process: own CPU only, so bash is not credited with make's whole life
      expect(r.top).to.deep.equal([{ pid: 22, comm: 'cc1', share: 0.04 }, { pid: 20, comm: 'bash', share: 0.005 }]);
    });
    it('does not credit a reused pid with the old process\'s time', () => {
      const r = otherCpu(snap(0, 0, [p(30, 500, 'old')]), snap(0, 100, [p(30, 7, 'new')]), new Set());
      expect(r.top).to.deep.equal([{ pid: 30, comm: 'new', share: 0.07 }]);
      expect(r.share).to.equal(0); // the sum went down: clamped
    });
    it('keeps the three largest, largest first', () => {
      const a = snap(0, 0, []);
      const b = snap(0, 100, [p(101, 1), p(102, 5), p(103, 3), p(104, 4)]);
      expect(otherCpu(a, b, new Set()).top.map((t: { pid: number }) => t.pid)).to.deep.equal([102, 104, 103]);
    });
    it('clamps the share to 1 and is null when the snapshots cannot be compared', () => {
      expect(otherCpu(snap(0, 0, []), snap(0, 10, [p(1, 50)]), new Set()).share).to.equal(1);
      expect(otherCpu(snap(0, 10, []), snap(0, 10, []), new Set())).to.equal(null);
      expect(otherCpu(null, snap(0, 10, []), new Set())).to.equal(null);
      expect(otherCpu({ stat: null, procs: new Map() }, snap(0, 10, []), new Set())).to.equal(null);
    });
  });

  describe('on the real /proc', function () {
    if (process.platform !== 'linux') return;
    it('snapshots this process and measures an interval', async () => {
      const s = snapshot();
      expect(s.stat.total).to.be.greaterThan(0);
      expect(s.procs.get(process.pid)).to.include({ pid: process.pid });
      const m = startOtherCpu();
      await new Promise((r) => setTimeout(r, 30));
      const r = m.stop();
      if (r !== null) expect(r.share).to.be.within(0, 1);
    });
  });
});
