import { expect } from 'chai';
import { AskAll, type Settled } from '../../../src/shared/ask-all';

/** A clock the test moves by hand: the deadlines armed, and whether they were cancelled. */
function manualDeadline(): { armed: { ms: number; round: number; cancelled: boolean }[]; deadline: (ms: number, round: number) => () => void } {
  const armed: { ms: number; round: number; cancelled: boolean }[] = [];
  return {
    armed,
    deadline: (ms, round) => {
      const entry = { ms, round, cancelled: false };
      armed.push(entry);
      return () => (entry.cancelled = true);
    },
  };
}

describe('shared/ask-all: ask every one, wait with a deadline', () => {
  it('settles as soon as every asked target answered, and cancels its deadline', () => {
    const clock = manualDeadline();
    const asker = new AskAll<string, number>(clock.deadline);
    const asked: [string, number][] = [];
    let settled: Settled<string, number> | undefined;
    asker.start(['a', 'b'], (t, round) => (asked.push([t, round]), true), 500, (s) => (settled = s));
    expect(asked).to.deep.equal([['a', 1], ['b', 1]]);
    expect(clock.armed).to.deep.equal([{ ms: 500, round: 1, cancelled: false }]);
    asker.answer('a', 1);
    expect(settled).to.equal(undefined);
    expect(asker.busy).to.equal(true);
    asker.answer('b', 2);
    expect(settled?.answers).to.deep.equal(new Map([['a', 1], ['b', 2]]));
    expect([...(settled?.missing ?? [])]).to.deep.equal([]);
    expect(clock.armed[0].cancelled).to.equal(true);
    expect(asker.busy).to.equal(false);
  });

  it('at the deadline, settles with what came and names the silent ones', () => {
    const clock = manualDeadline();
    const asker = new AskAll<number, string>(clock.deadline);
    let settled: Settled<number, string> | undefined;
    asker.start([1, 2, 3], () => true, 200, (s) => (settled = s));
    asker.answer(2, 'two');
    asker.expire(1);
    expect(settled?.answers).to.deep.equal(new Map([[2, 'two']]));
    expect([...(settled?.missing ?? [])].sort()).to.deep.equal([1, 3]);
    // Late: dropped, nothing settles twice.
    let again = 0;
    asker.start([], () => true, 200, () => again++);
    asker.answer(1, 'late');
    expect(again).to.equal(1);
  });

  it('does not wait for a target that cannot be asked; with none askable it settles at once', () => {
    const clock = manualDeadline();
    const asker = new AskAll<number, string>(clock.deadline);
    const settled: Settled<number, string>[] = [];
    asker.start([1, 2], (t) => t === 1, 200, (s) => settled.push(s));
    asker.answer(1, 'one');
    expect(settled[0]?.answers.get(1)).to.equal('one');
    asker.start([1, 2], () => false, 200, (s) => settled.push(s));
    expect(settled[1]?.answers.size).to.equal(0);
    expect(clock.armed).to.have.length(1);
  });

  it('drops answers for another round, twice from one target, or from a target not asked', () => {
    const asker = new AskAll<number, string>(manualDeadline().deadline);
    let settled: Settled<number, string> | undefined;
    asker.start([1, 2], () => true, 200, (s) => (settled = s));
    asker.answer(1, 'stale', 0);
    asker.answer(3, 'stranger');
    asker.answer(1, 'first', 1);
    asker.answer(1, 'again', 1);
    expect(settled).to.equal(undefined);
    asker.answer(2, 'two', 1);
    expect(settled?.answers).to.deep.equal(new Map([[1, 'first'], [2, 'two']]));
  });

  it('asking while a round runs joins it: one question per target, every asker told', () => {
    const asker = new AskAll<number, string>(manualDeadline().deadline);
    let questions = 0;
    const told: number[] = [];
    asker.start([1], () => (questions++, true), 200, (s) => told.push(s.round));
    asker.start([1], () => (questions++, true), 200, (s) => told.push(s.round));
    asker.answer(1, 'x');
    expect(questions).to.equal(1);
    expect(told).to.deep.equal([1, 1]);
  });

  it('as a promise, with the default timer: resolves at the deadline when nobody answers', async () => {
    const asker = new AskAll<number, string>();
    const started = Date.now();
    const settled = await asker.ask([1], () => true, 30);
    expect([...settled.missing]).to.deep.equal([1]);
    expect(Date.now() - started).to.be.below(5000);
  });
});
