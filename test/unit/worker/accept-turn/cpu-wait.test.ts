import { expect } from 'chai';
import { parseSchedstat, ThreadCpuClock, waitShare } from '../../../../src/worker/accept-turn/cpu-wait';

describe('worker/accept-turn/cpu-wait', () => {
  it('reads run and wait nanoseconds from a schedstat line, and nothing from anything else', () => {
    expect(parseSchedstat('7196326863 8968443085 30688\n')).to.deep.equal({ runNs: 7196326863, waitNs: 8968443085, atNs: 0 });
    for (const bad of ['', 'x 1 2', '12', '-1 2 3', ' 1 2 3']) expect(parseSchedstat(bad), bad).to.equal(undefined);
  });

  it('the wait share is the wait over the elapsed time between two samples, within 0 and 1', () => {
    const at = (runNs: number, waitNs: number, atNs: number): { runNs: number; waitNs: number; atNs: number } => ({ runNs, waitNs, atNs });
    expect(waitShare(at(100, 50, 1e9), at(450, 460 + 50, 2e9))).to.be.closeTo(460 / 1e9, 1e-15);
    expect(waitShare(at(0, 0, 1e9), at(0.35e9, 0.41e9, 2e9))).to.be.closeTo(0.41, 1e-12);
    // Little run, much of it waited for, over a long time: a sleeping loop, not a CPU-bound one.
    expect(waitShare(at(0, 0, 0), at(2e6, 3e6, 200e6))).to.be.closeTo(0.015, 1e-12);
    expect(waitShare(at(100, 50, 5), at(100, 50, 5))).to.equal(0);
    // A counter that went back (another thread's file) or a clock that did: no wait.
    expect(waitShare(at(100, 50, 0), at(300, 40, 1e9))).to.equal(0);
    expect(waitShare(at(100, 50, 2e9), at(300, 90, 1e9))).to.equal(0);
    expect(waitShare(at(0, 0, 0), at(0, 5e9, 1e9))).to.equal(1);
  });

  it("samples this thread's own clock: running adds run time, a sleep adds none", () => {
    const clock = new ThreadCpuClock();
    try {
      const a = clock.sample();
      expect(a).to.not.equal(undefined);
      // Spin until the clock shows 20 ms more run time: CPU time, however long the wall clock
      // takes when other processes share the cores. A clock that did not follow this thread's
      // running would never get there (bounded at 10 s).
      const deadline = Date.now() + 10_000;
      let b = clock.sample()!;
      let spins = 0;
      while (b.runNs - a!.runNs < 20e6 && Date.now() < deadline) {
        for (let i = 0; i < 100_000; i++) spins++;
        b = clock.sample()!;
      }
      expect(b.runNs - a!.runNs).to.be.at.least(20e6);
      expect(b.atNs).to.be.above(a!.atNs);
      expect(spins).to.be.above(0);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      const c = clock.sample()!;
      expect(c.runNs - b.runNs).to.be.below(20e6);
      expect(c.atNs - b.atNs).to.be.at.least(50e6);
    } finally {
      clock.close();
    }
  });

  it('without the file, every sample is undefined and closing is harmless', () => {
    const clock = new ThreadCpuClock('/nonexistent/schedstat');
    expect(clock.sample()).to.equal(undefined);
    clock.close();
    clock.close();
  });
});
