/** A thread's CPU time from /proc, and its share over a window. */
import { expect } from 'chai';
import fs from 'node:fs';
import { CpuWindow, statCpuMs, threadCpuMs } from '../../../../src/worker/host/thread-cpu';

describe('worker/host/thread-cpu', () => {
  it('reads utime + stime (fields 14 and 15) in ms, after the last parenthesis of the name', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[11] = '120';
    fields[12] = '30';
    expect(statCpuMs(`4242 (node (x) y) ${fields.join(' ')}`)).to.equal(1500);
  });

  it('gives undefined for a text that does not parse', () => {
    expect(statCpuMs('garbage')).to.equal(undefined);
    expect(statCpuMs('1 (a) S 1')).to.equal(undefined);
  });

  it("reads this thread's own CPU time, and undefined for an unknown or gone thread", () => {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    const before = threadCpuMs(tid);
    expect(before).to.be.a('number');
    // Spin until the kernel has counted a tick (10 ms) more; bounded for a loaded machine.
    const end = Date.now() + 3000;
    let after = before;
    while (after === before && Date.now() < end) after = threadCpuMs(tid);
    expect(after! - before!).to.be.at.least(10);
    expect(threadCpuMs(0)).to.equal(undefined);
    expect(threadCpuMs(2 ** 30)).to.equal(undefined);
  });

  it('shares CPU over the window, dropping samples older than it', () => {
    const w = new CpuWindow(1000);
    expect(w.share()).to.equal(0);
    w.add(0, 0);
    expect(w.share()).to.equal(0);
    w.add(500, 500);
    expect(w.share()).to.equal(1);
    w.add(1000, 500);
    expect(w.share()).to.equal(0.5);
    w.add(2000, 600);
    // From the newest sample at least a window old (1000): 100 ms of CPU in 1000 ms.
    expect(w.share()).to.be.closeTo(0.1, 1e-9);
    w.add(2500, 1100);
    expect(w.share()).to.be.closeTo(600 / 1500, 1e-9);
  });

  it('caps the share at one CPU (tick rounding) and starts over when a sample is missing', () => {
    const w = new CpuWindow(1000);
    w.add(0, 0);
    w.add(100, 110);
    expect(w.share()).to.equal(1);
    w.add(200, undefined);
    expect(w.share()).to.equal(0);
    w.add(300, 400);
    w.add(400, 450);
    expect(w.share()).to.equal(0.5);
    w.clear();
    expect(w.share()).to.equal(0);
  });
});
