/** The private collection idle-gc calls: it frees the heap's garbage and hands the app no `gc`. */
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { collectGarbage } from '../../../src/shared/full-gc';
import { alive, FREED_BOUND, freedSince, promotedGarbage } from '../../support/promoted-garbage';

/**
 * What an app thread (worker_threads) sees: its own heap collected, and no `gc` global. With
 * workerData.ownGc the app has put a function of its own at globalThis.gc first.
 */
const IN_THREAD = `
require(${JSON.stringify(require.resolve('tsx/cjs'))});
const { parentPort, workerData } = require('node:worker_threads');
let ownGcCalls = 0;
if (workerData.ownGc) globalThis.gc = () => { ownGcCalls++; };
const { collectGarbage } = require(${JSON.stringify(require.resolve('../../../src/shared/full-gc'))});
const { alive, freedSince, promotedGarbage } = require(${JSON.stringify(require.resolve('../../support/promoted-garbage'))});
(async () => {
  const { refs, before } = await promotedGarbage();
  const made = collectGarbage();
  const left = alive(refs);
  parentPort.postMessage({ made, alive: left, freed: await freedSince(before), gcGlobal: typeof gc, ownGcCalls });
})();
`;

describe('shared/full-gc', () => {
  it('collects the old generation: promoted garbage is taken at once, and its memory freed', async () => {
    const { refs, before } = await promotedGarbage();
    expect(collectGarbage()).to.equal(true);
    // Promoted objects: a minor collection would leave them.
    expect(alive(refs)).to.equal(0);
    // ~40 MB of objects were dropped.
    expect(await freedSince(before)).to.be.above(FREED_BOUND);
  });

  it('leaves no `gc` where the app could see it: not in this context, not in one made later', () => {
    expect(collectGarbage()).to.equal(true);
    expect((globalThis as { gc?: unknown }).gc).to.equal(undefined);
    expect(vm.runInNewContext('typeof gc')).to.equal('undefined');
  });

  const inThread = async (ownGc: boolean): Promise<{ made: boolean; alive: number; freed: number; gcGlobal: string; ownGcCalls: number }> => {
    const thread = new Worker(IN_THREAD, { eval: true, workerData: { ownGc } });
    try {
      return await new Promise((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      });
    } finally {
      await thread.terminate();
    }
  };

  it('works the same in an app thread (worker_threads), which has a heap of its own', async () => {
    const got = await inThread(false);
    expect(got.made).to.equal(true);
    expect(got.alive).to.equal(0);
    expect(got.freed).to.be.above(FREED_BOUND);
    expect(got.gcGlobal).to.equal('undefined');
  });

  it("never calls a function the app put at globalThis.gc: V8's own collection runs", async () => {
    const got = await inThread(true);
    expect(got.ownGcCalls).to.equal(0);
    expect(got.made).to.equal(true);
    expect(got.alive).to.equal(0);
    expect(got.freed).to.be.above(FREED_BOUND);
  });
});
