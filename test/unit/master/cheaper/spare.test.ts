import { expect } from 'chai';
import { spare, spareState } from '../../../../src/master/cheaper/spare';
import type { CheaperInputs } from '../../../../src/master/cheaper/types';
import { load, settings } from './fixtures';

/** The same inputs with each worker's busy share since the last look. */
function at(input: CheaperInputs, shares: number[]): CheaperInputs {
  return { ...input, workers: input.workers.map((w, n) => ({ ...w, share: shares[n] })) };
}

describe('master/cheaper/spare: uWSGI\'s default algorithm', () => {
  it('adds cheaper-step workers after cheaper-overload seconds with every worker busy, then counts again', () => {
    const s = spareState();
    const c = settings({ overload: 3, step: 2 });
    expect(spare(s, load('BB'), c).delta).to.equal(0);
    expect(spare(s, load('BB'), c).delta).to.equal(0);
    const d = spare(s, load('BB'), c);
    expect(d).to.include({ delta: 2 });
    expect(d.reason).to.match(/all 2 worker\(s\) busy for 3 s/);
    expect(s.overloadCount).to.equal(0);
    expect(spare(s, load('BBBB'), c).delta).to.equal(0);
  });

  it('counts a second with connections queued and no worker free as overloaded: workers sharing the CPUs with the proxy', () => {
    const s = spareState();
    const c = settings({ overload: 3 });
    expect(spare(s, load('p', { backlog: 40 }), c).delta).to.equal(0);
    expect(spare(s, load('p', { backlog: 12 }), c).delta).to.equal(0);
    const d = spare(s, load('p', { backlog: 25 }), c);
    expect(d.delta).to.equal(1);
    expect(d.reason).to.equal('all 1 worker(s) busy for 3 s (25 connection(s) queued)');
  });

  it('a queue with a free worker, or partly busy workers with no queue, is not overload', () => {
    const c = settings({ overload: 1 });
    expect(spare(spareState(), load('pi', { backlog: 50 }), c).delta).to.equal(0);
    expect(spare(spareState(), load('Bi', { backlog: 50 }), c).delta).to.equal(0);
    expect(spare(spareState(), load('pp', { backlog: 0 }), c).delta).to.equal(0);
    expect(spare(spareState(), load('Bp', { backlog: 1 }), c).delta).to.equal(1);
  });

  it('never above processes: the step is cut, and at the maximum nothing is added', () => {
    const c = settings({ overload: 1, step: 3, max: 4 });
    expect(spare(spareState(), load('BBB'), c).delta).to.equal(1);
    expect(spare(spareState(), load('BBBB'), c).delta).to.equal(0);
  });

  it('a second with a free worker counts the overload back down instead of resetting it', () => {
    const s = spareState();
    const c = settings({ overload: 3 });
    spare(s, load('BB'), c);
    spare(s, load('BB'), c);
    spare(s, load('Bi'), c);
    expect(s.overloadCount).to.equal(1);
    expect(spare(s, load('BB'), c).delta).to.equal(0);
    expect(spare(s, load('BB'), c).delta).to.equal(1);
  });

  it('one free worker is the stable state: nothing removed however long it lasts', () => {
    const s = spareState();
    for (let n = 0; n < 20; n++) expect(spare(s, load('BBi'), settings({ overload: 1 })).delta).to.equal(0);
  });

  it('partly busy workers are not free: a partial load on two workers removes neither, however long', () => {
    const s = spareState();
    for (let n = 0; n < 20; n++) expect(spare(s, load('pp'), settings({ overload: 1 })).delta).to.equal(0);
    for (let n = 0; n < 20; n++) expect(spare(s, load('pip'), settings({ overload: 1 })).delta).to.equal(0);
    // Two really idle ones next to a partly busy one: one goes.
    expect(spare(spareState(), load('pii'), settings({ overload: 1 })).delta).to.equal(-1);
  });

  it('more free workers: one removed every cheaper-overload idle seconds, never below cheaper', () => {
    const s = spareState();
    const c = settings({ overload: 2, min: 2 });
    expect(spare(s, load('iii'), c).delta).to.equal(0);
    const d = spare(s, load('iii'), c);
    expect(d.delta).to.equal(-1);
    expect(d.reason).to.match(/3 of 3 worker\(s\) idle for 2 s/);
    expect(spare(s, load('ii'), c).delta).to.equal(0);
    expect(spare(s, load('ii'), c).delta, 'at cheaper').to.equal(0);
  });

  it('an overloaded second interrupts "cheap them all" (the idle count starts over)', () => {
    const s = spareState();
    const c = settings({ overload: 2 });
    spare(s, load('iii'), c);
    spare(s, load('BBB'), c);
    expect(s.idleCount).to.equal(0);
    expect(spare(s, load('iii'), c).delta, 'the overload counted down, the idle count starts at 1').to.equal(0);
    expect(spare(s, load('iii'), c).delta).to.equal(-1);
  });

  it('removes a free worker only when the rest would stay free: two at 45 % under load keep each other', () => {
    // Both read free (under half busy), but the one left would carry ~90 %: with connections
    // queued that is the rule that adds a worker, and it would be back three seconds later.
    const s = spareState();
    const c = settings({ overload: 1 });
    for (let n = 0; n < 20; n++) expect(spare(s, at(load('ii'), [0.45, 0.45]), c).delta).to.equal(0);
    expect(s.idleCount, 'a second that may not remove is not an idle one').to.equal(0);
    const d = spare(s, at(load('ii'), [0.2, 0.2]), c);
    expect(d.delta).to.equal(-1);
    expect(d.reason).to.equal('2 of 2 worker(s) idle for 1 s');
  });

  it('the rest\'s average decides: three at 30 % lose one (the two left at 45 % stay free), three at 40 % keep all', () => {
    const c = settings({ overload: 1 });
    expect(spare(spareState(), at(load('iii'), [0.3, 0.3, 0.3]), c).delta).to.equal(-1);
    expect(spare(spareState(), at(load('iii'), [0.4, 0.4, 0.4]), c).delta).to.equal(0);
    expect(spare(spareState(), at(load('iip'), [0.05, 0.05, 0.85]), c).delta, 'two free and one at 85 %: 0.95 fits in two').to.equal(-1);
  });

  it('a second under load that may not remove starts the idle count over', () => {
    const s = spareState();
    const c = settings({ overload: 2 });
    expect(spare(s, at(load('ii'), [0.1, 0.1]), c).delta).to.equal(0);
    expect(spare(s, at(load('ii'), [0.4, 0.4]), c).delta).to.equal(0);
    expect(spare(s, at(load('ii'), [0.1, 0.1]), c).delta).to.equal(0);
    expect(spare(s, at(load('ii'), [0.1, 0.1]), c).delta).to.equal(-1);
  });

  it('past the soft memory limit it may remove but not add', () => {
    const s = spareState();
    const c = settings({ overload: 1 });
    expect(spare(s, load('BB', { canSpawn: false }), c).delta).to.equal(0);
    expect(s.overloadCount, 'overloaded, but may not add').to.equal(1);
    expect(spare(s, load('iii', { canSpawn: false }), c).delta).to.equal(-1);
  });
});
