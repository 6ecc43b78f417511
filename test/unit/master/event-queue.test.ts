import { expect } from 'chai';
import { EventQueue } from '../../../src/master/event-queue';
import { waitUntil } from '../../support/wait';

type E = { kind: 'a' | 'b' | 'tick'; n?: number };

describe('master/event-queue: one event at a time, settled after each, timers as events', () => {
  it('handles events in order, one at a time, and settles after each; an event posted meanwhile waits its turn', async () => {
    const seen: string[] = [];
    const queue: EventQueue<E> = new EventQueue<E>(
      (e) => {
        seen.push(`handle ${e.kind}${e.n ?? ''}`);
        if (e.n === 1) queue.post({ kind: 'b', n: 3 });
      },
      () => seen.push('settle'),
      { kind: 'tick' },
    );
    queue.post({ kind: 'a', n: 1 });
    queue.post({ kind: 'a', n: 2 });
    expect(seen, 'nothing runs inside post').to.deep.equal([]);
    await waitUntil('three events', () => seen.length === 6, 2000);
    expect(seen).to.deep.equal(['handle a1', 'settle', 'handle a2', 'settle', 'handle b3', 'settle']);
  });

  it('wakeAt posts one tick at the time asked; asking again re-arms, undefined clears', async () => {
    const ticks: number[] = [];
    const queue = new EventQueue<E>((e) => e.kind === 'tick' && ticks.push(Date.now()), () => undefined, { kind: 'tick' });
    const start = Date.now();
    queue.wakeAt(start + 10_000);
    queue.wakeAt(start + 30);
    await waitUntil('a tick', () => ticks.length === 1, 5000);
    expect(ticks[0]).to.be.at.least(start + 25);
    queue.wakeAt(Date.now() + 20);
    queue.wakeAt(undefined);
    await new Promise((r) => setTimeout(r, 80));
    expect(ticks).to.have.length(1);
  });

  it('after posts the given event', async () => {
    const seen: E[] = [];
    const queue = new EventQueue<E>((e) => seen.push(e), () => undefined, { kind: 'tick' });
    queue.after(10, { kind: 'b', n: 7 });
    const cancel = queue.after(10, { kind: 'a', n: 8 });
    cancel();
    await waitUntil('the event', () => seen.length === 1, 2000);
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).to.deep.equal([{ kind: 'b', n: 7 }]);
  });
});
