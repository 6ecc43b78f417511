/** idle-gc: one collection per idle period after serving (and one after the app's loading), only when the heap grew. */
import { expect } from 'chai';
import { IdleGc, MIN_GROWTH } from '../../../src/worker/idle-gc';

const MB = 1024 * 1024;

/** A heap whose size the test sets, and the collections it was asked for; each brings it to `after`. */
function fakeHeap(size: number, after = size) {
  const heap = { size, after, collections: 0 };
  const gc = new IdleGc(
    {
      afterMs: 1000,
      heapSize: () => heap.size,
      collect: () => {
        heap.collections++;
        heap.size = heap.after;
        return true;
      },
    },
    0,
    0,
  );
  return { heap, gc };
}

describe('worker/idle-gc', () => {
  it("collects once after the app's loading, when no request came for afterMs", () => {
    const { heap, gc } = fakeHeap(8 * MB, 7 * MB);
    expect(gc.tick(100, 0)).to.equal(false);
    expect(gc.tick(999, 0)).to.equal(false);
    expect(gc.tick(1000, 0)).to.equal(true);
    expect(heap.collections).to.equal(1);
    // Idle on: nothing more to give back.
    for (let t = 1100; t < 10_000; t += 100) gc.tick(t, 0);
    expect(heap.collections).to.equal(1);
  });

  it('waits for afterMs without a new request, counted from the last one started', () => {
    const { heap, gc } = fakeHeap(8 * MB, 6 * MB);
    gc.tick(1000, 0);
    heap.size = 6 * MB + MIN_GROWTH;
    gc.tick(1100, 5);
    gc.tick(1900, 9);
    expect(gc.tick(2800, 9)).to.equal(false);
    expect(gc.tick(2899, 9)).to.equal(false);
    expect(gc.tick(2900, 9)).to.equal(true);
    expect(heap.collections).to.equal(2);
  });

  it('never while requests keep starting, however long', () => {
    const { heap, gc } = fakeHeap(8 * MB, 6 * MB);
    gc.tick(1000, 0);
    heap.size = 40 * MB;
    for (let t = 1100, n = 1; t < 60_000; t += 100, n++) expect(gc.tick(t, n)).to.equal(false);
    expect(heap.collections).to.equal(1);
  });

  it('skips an idle period whose heap grew less than MIN_GROWTH, and counts the growth from the last collection', () => {
    const { heap, gc } = fakeHeap(8 * MB, 6 * MB);
    gc.tick(1000, 0);
    heap.size = 6 * MB + MIN_GROWTH - 1;
    gc.tick(1100, 1);
    expect(gc.tick(2100, 1)).to.equal(false);
    expect(heap.collections).to.equal(1);
    // More requests, more growth: the next idle period collects.
    heap.size = 6 * MB + MIN_GROWTH;
    gc.tick(2200, 2);
    expect(gc.tick(3200, 2)).to.equal(true);
    expect(heap.collections).to.equal(2);
  });

  it('one collection per idle period, even when the heap stays large', () => {
    const { heap, gc } = fakeHeap(8 * MB, 30 * MB);
    gc.tick(1000, 0);
    expect(heap.collections).to.equal(1);
    heap.size = 40 * MB;
    for (let t = 1100; t < 20_000; t += 100) gc.tick(t, 0);
    expect(heap.collections, 'no request since: no new garbage').to.equal(1);
  });

  it('a collection that could not be made is tried again at the next idle period', () => {
    let made = 0;
    let available = false;
    const gc = new IdleGc({ afterMs: 1000, heapSize: () => 8 * MB, collect: () => available && ++made > 0 }, 0, 0);
    expect(gc.tick(1000, 0)).to.equal(false);
    gc.tick(1100, 1);
    available = true;
    expect(gc.tick(2100, 1)).to.equal(true);
    expect(made).to.equal(1);
  });
});
