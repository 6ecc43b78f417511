import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { benchLib } from './helpers.js';

const { parsePssKb, parseChildren, treePids, treePss, startSampler } = benchLib('pss');

// /proc/self/smaps_rollup of `cat` on Linux 6.18: "Pss:" must not be confused with Pss_Dirty,
// Pss_Anon, Pss_File, Pss_Shmem or SwapPss.
const ROLLUP = `5625f3613000-7ffd06345000 ---p 00000000 00:00 0                          [rollup]
Rss:                1716 kB
Pss:                 372 kB
Pss_Dirty:           116 kB
Pss_Anon:            116 kB
Pss_File:            256 kB
Pss_Shmem:             0 kB
Shared_Clean:       1544 kB
Shared_Dirty:          0 kB
Private_Clean:        56 kB
Private_Dirty:       116 kB
Referenced:         1716 kB
Anonymous:           116 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
`;

/** A fake /proc: pid → {tasks: {tid: children text}, pss: kB | null (no smaps_rollup)}. */
function fakeProc(tree: Record<number, { tasks: Record<string, string>; pss?: number | null }>) {
  const files = new Map<string, string>();
  const dirs = new Map<string, string[]>();
  for (const [pid, p] of Object.entries(tree)) {
    files.set(`/proc/${pid}/stat`, `${pid} (x) S`);
    dirs.set(`/proc/${pid}/task`, Object.keys(p.tasks));
    for (const [tid, kids] of Object.entries(p.tasks)) files.set(`/proc/${pid}/task/${tid}/children`, kids);
    if (p.pss !== null && p.pss !== undefined) files.set(`/proc/${pid}/smaps_rollup`, `[rollup]\nRss: 1 kB\nPss:   ${p.pss} kB\nPss_Anon: 9 kB\n`);
  }
  return {
    read: (f: string) => files.get(f) ?? null,
    list: (d: string) => dirs.get(d) ?? [],
  };
}

describe('bench/pss', () => {
  describe('parsePssKb', () => {
    it('reads the Pss line, not Pss_* or SwapPss', () => {
      expect(parsePssKb(ROLLUP)).to.equal(372);
    });
    it('is null when there is no Pss line (kernel thread, empty read)', () => {
      expect(parsePssKb('')).to.equal(null);
      expect(parsePssKb('Rss: 10 kB\nPss_Anon: 5 kB\nSwapPss: 3 kB\n')).to.equal(null);
    });
    it('reads a Pss line anywhere in the text, with any spacing', () => {
      expect(parsePssKb('Pss:\t12 kB')).to.equal(12);
      expect(parsePssKb('Rss: 1 kB\nPss: 0 kB\n')).to.equal(0);
      expect(parsePssKb('Pss:  123456789 kB\n')).to.equal(123456789);
    });
  });

  describe('parseChildren', () => {
    it('reads the space-separated pids (with the kernel\'s trailing space)', () => {
      expect(parseChildren('24725 1 ')).to.deep.equal([24725, 1]);
      expect(parseChildren('7')).to.deep.equal([7]);
    });
    it('is empty for an empty or blank file', () => {
      expect(parseChildren('')).to.deep.equal([]);
      expect(parseChildren(' \n')).to.deep.equal([]);
    });
    it('ignores anything that is not a pid', () => {
      expect(parseChildren('12 x 13\n-4 5a')).to.deep.equal([12, 13]);
    });
  });

  describe('treePids', () => {
    it('walks children of every thread, breadth first, root first', () => {
      const io = fakeProc({
        100: { tasks: { '100': '101 102 ', '107': '103 ' } }, // a child forked from a second thread
        101: { tasks: { '101': '104 ' } },
        102: { tasks: { '102': '' } },
        103: { tasks: { '103': '' } },
        104: { tasks: { '104': '' } },
        999: { tasks: { '999': '' } }, // not in the tree
      });
      expect(treePids(100, io)).to.deep.equal([100, 101, 102, 103, 104]);
    });
    it('skips a child that is already gone (listed but no /proc entry)', () => {
      const io = fakeProc({ 1: { tasks: { '1': '2 3' } }, 3: { tasks: { '3': '' } } });
      expect(treePids(1, io)).to.deep.equal([1, 3]);
    });
    it('is empty when the root itself is gone', () => {
      expect(treePids(5, fakeProc({}))).to.deep.equal([]);
    });
    it('counts each pid once even if listed twice', () => {
      const io = fakeProc({ 1: { tasks: { '1': '2', '9': '2' } }, 2: { tasks: { '2': '1' } } });
      expect(treePids(1, io)).to.deep.equal([1, 2]);
    });
  });

  describe('treePss', () => {
    it('sums Pss over the tree and counts the processes that had one', () => {
      const io = fakeProc({
        10: { tasks: { '10': '11 12' }, pss: 1000 },
        11: { tasks: { '11': '' }, pss: 250 },
        12: { tasks: { '12': '' }, pss: null }, // exited between the walk and the read
        13: { tasks: { '13': '' }, pss: 7 }, // not a descendant
      });
      expect(treePss(10, io)).to.deep.equal({ kb: 1250, count: 2 });
    });
    it('is zero processes for a missing root', () => {
      expect(treePss(4242, fakeProc({}))).to.deep.equal({ kb: 0, count: 0 });
    });
  });

  describe('on the real /proc', function () {
    if (process.platform !== 'linux') return;

    it('finds a child process and sums more than the parent alone', async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
      try {
        await new Promise((r) => child.once('spawn', r));
        expect(treePids(process.pid)).to.include(child.pid);
        const self = treePss(child.pid!);
        expect(self.count).to.equal(1);
        expect(self.kb).to.be.greaterThan(0);
        expect(treePss(process.pid).kb).to.be.greaterThan(self.kb);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('samples a peak and stops', async () => {
      const s = startSampler(process.pid, 20);
      await new Promise((r) => setTimeout(r, 70));
      const r = s.stop();
      expect(r.peakKb).to.be.greaterThan(0);
      expect(r.processes).to.be.at.least(1);
    });

    it('reports a null peak for a pid that does not exist', () => {
      const s = startSampler(2 ** 22 + 12345, 1000);
      expect(s.stop()).to.deep.equal({ peakKb: null, processes: 0 });
    });
  });
});
