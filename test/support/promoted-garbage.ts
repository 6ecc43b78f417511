/**
 * Garbage in the old generation, for the full-gc tests: the same code on the main thread and in
 * an app thread (worker_threads loads this file through tsx).
 */
import v8 from 'node:v8';
import { waitUntil } from './wait';

const GARBAGE_OBJECTS = 400_000;
export const FREED_BOUND = 8 * 1024 * 1024;
const CHURN_ROUND = 100_000;
const CHURN_CAP = 1024 * 1024 * 1024;
/** The sweepers' lag on a loaded machine; a quiet one frees at once. */
const SWEEP_WAIT_MS = 2000;

/**
 * ~40 MB of objects that survive scavenges (old generation), then dropped; weak references to
 * three of the oldest tell whether a collection took them. The `used_heap_size` figure right
 * after a collection still counts the pages V8's sweeper threads have not swept: with two mocha
 * jobs on two cores they lag, and a CI run read 2.6 MB freed of the tens that the test frees
 * alone. So the taking is checked at once, the heap's drop within a bounded wait (freedSince).
 */
export async function promotedGarbage(): Promise<{ refs: WeakRef<object>[]; before: number }> {
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

/** How many of `refs` still have their target. */
export const alive = (refs: WeakRef<object>[]): number => refs.filter((r) => r.deref() !== undefined).length;

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
export async function freedSince(before: number): Promise<number> {
  const freed = (): number => before - v8.getHeapStatistics().used_heap_size;
  try {
    return await waitUntil('the swept heap', () => (freed() > FREED_BOUND ? freed() : false), SWEEP_WAIT_MS, 20);
  } catch {
    return freed();
  }
}
