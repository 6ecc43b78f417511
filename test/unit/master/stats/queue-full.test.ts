import { expect } from 'chai';
import { QueueFullTracker, REPEAT_MS } from '../../../../src/master/stats/queue-full';

describe('listen queue full warnings', () => {
  const sample = (queue: number, name = 'a.sock', max = 10) => ({ name, queue, max });

  it('warns once when a queue fills, not again while it stays full, and counts every full sample', () => {
    const t = new QueueFullTracker();
    expect(t.observe([sample(3)], 0)).to.deep.equal([]);
    expect(t.observe([sample(10)], 1000)).to.deep.equal([sample(10)]);
    expect(t.observe([sample(11)], 2000)).to.deep.equal([]);
    expect(t.observe([sample(10)], 3000)).to.deep.equal([]);
    expect(t.fullSamples).to.equal(3);
  });

  it('warns for a new episode only after it drained and REPEAT_MS passed', () => {
    const t = new QueueFullTracker();
    t.observe([sample(10)], 0);
    t.observe([sample(0)], 1000);
    expect(t.observe([sample(10)], 2000), 'flapping within the repeat window').to.deep.equal([]);
    t.observe([sample(0)], 3000);
    expect(t.observe([sample(10)], REPEAT_MS + 1)).to.deep.equal([sample(10)]);
  });

  it('tracks sockets separately, and never calls a 0 backlog full', () => {
    const t = new QueueFullTracker();
    expect(t.observe([sample(10, 'a'), sample(1, 'b'), sample(0, 'c', 0)], 0)).to.deep.equal([sample(10, 'a')]);
    expect(t.observe([sample(10, 'a'), sample(10, 'b')], 100)).to.deep.equal([sample(10, 'b')]);
  });
});
