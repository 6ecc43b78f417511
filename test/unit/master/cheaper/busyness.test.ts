import { expect } from 'chai';
import { busyness, busynessState } from '../../../../src/master/cheaper/busyness';
import type { CheaperInputs, WorkerLoad } from '../../../../src/master/cheaper/types';
import { settings } from './fixtures';

/** Workers by key with their cumulative busy µs (and busy-now flags), at `now` ms. */
function at(now: number, micros: number[], over: Partial<CheaperInputs> = {}, busyNow: boolean[] = []): CheaperInputs {
  const workers: WorkerLoad[] = micros.map((m, n) => ({ key: n + 1, busy: busyNow[n] ?? false, busyMicros: m }));
  return { now, workers, backlog: 0, canSpawn: true, ...over };
}

describe('master/cheaper/busyness: uWSGI\'s cheaper_busyness plugin', () => {
  // overload 2 s: a check every 2 s; removal after 2 × multiplier (3) = 6 s idle.
  const c = settings({ algo: 'busyness', overload: 2, step: 1, min: 1, max: 4 }, { multiplier: 3, penalty: 2 });

  it('between checks it only counts busy samples; at a check the average of the period decides', () => {
    const s = busynessState(0, c);
    expect(busyness(s, at(1000, [0, 0]), c).delta).to.equal(0);
    // 2 s period: worker 1 busy 1.8 s (90%), worker 2 1.0 s (50%): 70% > 50 → add.
    const d = busyness(s, at(2000, [1_800_000, 1_000_000]), c);
    expect(d.delta).to.equal(1);
    expect(d.reason).to.match(/2s average busyness is at 70% \(over 50%\)/);
  });

  it('a worker busy at every sample that finished nothing counts 100%; more than 100% is cut', () => {
    const s = busynessState(0, c);
    busyness(s, at(1000, [0, 0], {}, [true, false]), c);
    const d = busyness(s, at(2000, [0, 9_000_000]), c);
    expect(d.reason).to.match(/at 100%/);
  });

  it('an average within min..max removes nothing and postpones the idle timer', () => {
    const s = busynessState(0, c);
    const before = s.nextCheap;
    expect(busyness(s, at(2000, [800_000, 800_000]), c).delta).to.equal(0);
    expect(s.nextCheap).to.equal(before + 2000);
  });

  it('three in-between periods in a row restart the idle timer', () => {
    const s = busynessState(0, c);
    let m = 0;
    for (let t = 2000; t <= 6000; t += 2000) busyness(s, at(t, [(m += 800_000), m]), c);
    expect(s.tolerance).to.equal(3);
    expect(s.nextCheap).to.equal(6000 + 2 * 3 * 1000);
  });

  it('below min: one removed once overload × multiplier seconds have passed, never below cheaper or the last one', () => {
    const s = busynessState(0, c);
    expect(busyness(s, at(2000, [0, 0, 0]), c).delta).to.equal(0);
    expect(busyness(s, at(4000, [0, 0, 0]), c).delta).to.equal(0);
    const d = busyness(s, at(6000, [0, 0, 0]), c);
    expect(d.delta).to.equal(-1);
    expect(d.reason).to.match(/at 0% \(under 25%\)/);
    expect(busyness(s, at(8000, [0, 0]), c).delta, 'the next needs another 6 s').to.equal(0);
    expect(busyness(s, at(12_000, [0, 0]), c).delta).to.equal(-1);
    expect(busyness(s, at(30_000, [0]), c).delta).to.equal(0);
    const atMin = busynessState(0, settings({ algo: 'busyness', overload: 2, min: 2 }, { multiplier: 1 }));
    expect(busyness(atMin, at(2000, [0, 0]), settings({ algo: 'busyness', overload: 2, min: 2 }, { multiplier: 1 })).delta).to.equal(0);
  });

  it('a worker removed and needed again soon raises the multiplier by the penalty; later adds bring it down', () => {
    const s = busynessState(0, c);
    busyness(s, at(6000, [0, 0]), c);
    expect(s.lastAction).to.equal(2);
    const d = busyness(s, at(8000, [2_000_000]), c);
    expect(d.delta).to.equal(1);
    expect(s.multi).to.equal(5);
    expect(d.notes?.join()).to.match(/increasing cheaper multiplier to 5/);
    // Long after the last removal: an add lowers it by one.
    expect(busyness(s, at(200_000, [4_000_000, 4_000_000]), c).delta).to.equal(1);
    expect(s.multi).to.equal(4);
  });

  it('between checks, a listen queue over backlog-alert starts backlog-step emergency workers, removed sooner', () => {
    const s = busynessState(0, settings({ algo: 'busyness', overload: 2, max: 4 }, { multiplier: 10, backlogAlert: 5, backlogStep: 2, backlogMultiplier: 1 }));
    const cc = settings({ algo: 'busyness', overload: 2, max: 4 }, { multiplier: 10, backlogAlert: 5, backlogStep: 2, backlogMultiplier: 1 });
    const d = busyness(s, at(500, [0], { backlog: 6 }), cc);
    expect(d.delta).to.equal(2);
    expect(d.reason).to.match(/6 connection\(s\) in the listen queue \(over 5\): emergency/);
    expect(s.emergency).to.equal(2);
    // uWSGI sets the timer before counting the emergency workers: the first removal waits the
    // normal overload × multiplier (20 s); after it, overload × backlog-multiplier (2 s).
    let t = 2000;
    for (; t < 20_500; t += 2000) expect(busyness(s, at(t, [0, 0, 0]), cc).delta, `at ${t}`).to.equal(0);
    expect(busyness(s, at(t, [0, 0, 0]), cc).delta).to.equal(-1);
    expect(busyness(s, at(t + 2000, [0, 0]), cc).delta).to.equal(-1);
  });

  it('a queue that stays non-empty for backlog-nonzero seconds starts an emergency worker', () => {
    const cc = settings({ algo: 'busyness', overload: 100, max: 4 }, { backlogNonzero: 3 });
    const s = busynessState(0, cc);
    expect(busyness(s, at(1000, [0], { backlog: 1 }), cc).delta).to.equal(0);
    expect(busyness(s, at(3000, [0], { backlog: 1 }), cc).delta).to.equal(0);
    const d = busyness(s, at(4000, [0], { backlog: 2 }), cc);
    expect(d.delta).to.equal(1);
    expect(d.reason).to.match(/not empty for 3 s/);
    expect(busyness(s, at(5000, [0, 0], { backlog: 0 }), cc).delta).to.equal(0);
    expect(s.backlogNonzero).to.equal(false);
  });

  it('at processes, or past the soft memory limit, nothing is added', () => {
    const s = busynessState(0, c);
    expect(busyness(s, at(2000, [2_000_000, 2_000_000, 2_000_000, 2_000_000]), c).delta).to.equal(0);
    const t = busynessState(0, c);
    expect(busyness(t, at(2000, [2_000_000], { canSpawn: false }), c).delta).to.equal(0);
  });

  it('verbose: the average of each period is noted', () => {
    const cc = settings({ algo: 'busyness', overload: 2 }, { verbose: true });
    const s = busynessState(0, cc);
    expect(busyness(s, at(2000, [1_000_000, 0]), cc).notes).to.deep.equal(['2s average busyness of 2 worker(s) is at 25%']);
  });
});
