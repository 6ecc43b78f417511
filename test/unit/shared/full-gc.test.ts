/** The private collection idle-gc calls: it frees the heap's garbage and hands the app no `gc`. */
import vm from 'node:vm';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { collectGarbage } from '../../../src/shared/full-gc';
import { waitUntil } from '../../support/wait';

const GARBAGE_OBJECTS = 400_000;
const FREED_BOUND = 8 * 1024 * 1024;
const CHURN_ROUND = 100_000;
const CHURN_CAP = 1024 * 1024 * 1024;
/** The sweepers' lag on a loaded machine; a quiet one frees at once. */
const SWEEP_WAIT_MS = 2000;

/**
 * What an app thread (worker_threads) sees: its own heap collected, and no `gc` global. With
 * workerData.ownGc the app has put a function of its own at globalThis.gc first.
 */
const IN_THREAD = `
require(${JSON.stringify(require.resolve('tsx/cjs'))});
const v8 = require('node:v8');
const { parentPort, workerData } = require('node:worker_threads');
let ownGcCalls = 0;
if (workerData.ownGc) globalThis.gc = () => { ownGcCalls++; };
const { collectGarbage } = require(${JSON.stringify(require.resolve('../../../src/shared/full-gc'))});
let keep = [];
for (let i = 0; i < ${GARBAGE_OBJECTS}; i++) keep.push({ i, s: 'x' + i });
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
for (let churned = 0; churned < 4 * young() && churned < ${CHURN_CAP}; churned += ${CHURN_ROUND} * 16) {
  const churn = []; for (let i = 0; i < ${CHURN_ROUND}; i++) churn.push({ i });
}
const refs = [0, 1000, 100000].map((i) => new WeakRef(keep[i]));
keep = null;
const before = v8.getHeapStatistics().used_heap_size;
setImmediate(() => {
  const made = collectGarbage();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  const freedAt = Date.now() + ${SWEEP_WAIT_MS};
  const report = () => {
    const freed = before - v8.getHeapStatistics().used_heap_size;
    if (freed > ${FREED_BOUND} || Date.now() > freedAt) {
      parentPort.postMessage({ made, alive, freed, gcGlobal: typeof gc, ownGcCalls });
    } else setTimeout(report, 20);
  };
  report();
});
`;

/**
 * Objects that survive scavenges (old generation), then dropped; weak references to three of
 * the oldest tell whether a collection took them. The `used_heap_size` figure right after a
 * collection still counts the pages V8's sweeper threads have not swept: with two mocha jobs on
 * two cores they lag, and a CI run read 2.6 MB freed of the tens that the test frees alone. So
 * the taking is checked at once, the heap's drop within a bounded wait.
 */
async function promotedGarbage(): Promise<{ refs: WeakRef<object>[]; before: number }> {
  let keep: object[] | null = [];
  for (let i = 0; i < GARBAGE_OBJECTS; i++) keep.push({ i, s: `x${i}` });
  churnPastYoungGeneration();
  const refs = [0, 1000, 100_000].map((i) => new WeakRef(keep![i]!));
  keep = null;
  const before = v8.getHeapStatistics().used_heap_size;
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve));
  return { refs, before };
}

/**
 * Allocates short-lived objects, four times the young generation's size at least (each `{ i }`
 * is 16 bytes or more), so that what was allocated before survives two scavenges. Node 24's
 * young generation grows to tens of MB in a mocha worker: a fixed amount left the objects there,
 * and a minor collection passed the test.
 */
function churnPastYoungGeneration(): void {
  const young = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  for (let churned = 0; churned < 4 * young() && churned < CHURN_CAP; churned += CHURN_ROUND * 16) {
    const churn: object[] = [];
    for (let i = 0; i < CHURN_ROUND; i++) churn.push({ i });
  }
}

/** How much the heap shrank below `before`, waiting for the sweepers up to SWEEP_WAIT_MS. */
async function freedSince(before: number): Promise<number> {
  const freed = (): number => before - v8.getHeapStatistics().used_heap_size;
  try {
    return await waitUntil('the swept heap', () => (freed() > FREED_BOUND ? freed() : false), SWEEP_WAIT_MS, 20);
  } catch {
    return freed();
  }
}

describe('shared/full-gc', () => {
  it('collects the old generation: promoted garbage is taken at once, and its memory freed', async () => {
    const { refs, before } = await promotedGarbage();
    expect(collectGarbage()).to.equal(true);
    // Promoted objects: a minor collection would leave them.
    expect(refs.filter((r) => r.deref() !== undefined)).to.have.length(0);
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
