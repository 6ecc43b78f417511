/** When a worker starts another app thread and when one retires: the pure policy, densely. */
import { expect } from 'chai';
import { CPU_SATURATED, CPU_SLACK, decideThreads, type DemandState, type ThreadSample } from '../../../../src/worker/host/thread-demand';

const idle: ThreadSample = { running: true, ready: true, blocked: false, cpu: 0, working: false };
const blocked: ThreadSample = { ...idle, blocked: true, working: true };
const cpuBound: ThreadSample = { ...idle, cpu: 0.95, working: true };
const busyAsync: ThreadSample = { ...idle, cpu: 0.4, working: true };
const off: ThreadSample = { running: false, ready: false, blocked: false, cpu: 0, working: false };
const starting: ThreadSample = { running: true, ready: false, blocked: false, cpu: 0, working: false };
const limits = { min: 1, idleMs: 15_000 };
const fresh = (): DemandState => ({ slackSince: undefined });

describe('worker/host/thread-demand: decideThreads', () => {
  it('starts the first free row when the only running thread is blocked with work', () => {
    expect(decideThreads([blocked, off, off], limits, fresh(), 0)).to.deep.equal({ act: 'start', thread: 1, reason: 'blocked' });
  });

  it('starts one when every running thread is on a CPU nearly all the time', () => {
    expect(decideThreads([cpuBound, off], limits, fresh(), 0)).to.deep.equal({ act: 'start', thread: 1, reason: 'cpu' });
    expect(decideThreads([{ ...cpuBound, cpu: CPU_SATURATED }, off], limits, fresh(), 0)?.act).to.equal('start');
  });

  it('says blocked when any of the saturated threads is blocked', () => {
    expect(decideThreads([cpuBound, blocked, off], limits, fresh(), 0)).to.deep.equal({ act: 'start', thread: 2, reason: 'blocked' });
  });

  it('fills a gap left by a retired row first', () => {
    expect(decideThreads([blocked, off, blocked], limits, fresh(), 0)).to.deep.equal({ act: 'start', thread: 1, reason: 'blocked' });
  });

  it('starts nothing for an asynchronous app on a busy machine (slow but not saturated)', () => {
    expect(decideThreads([{ ...busyAsync, cpu: CPU_SATURATED - 0.01 }, off], limits, fresh(), 0)).to.equal(undefined);
  });

  it('starts nothing while one running thread still has room', () => {
    expect(decideThreads([blocked, busyAsync, off], limits, fresh(), 0)).to.equal(undefined);
  });

  it('starts nothing for a thread busy without requests (a background loop would be copied into every thread)', () => {
    expect(decideThreads([{ ...cpuBound, working: false }, off], limits, fresh(), 0)).to.equal(undefined);
    expect(decideThreads([{ ...blocked, working: false }, off], limits, fresh(), 0)).to.equal(undefined);
  });

  it('starts nothing when every row runs already', () => {
    expect(decideThreads([blocked, blocked], limits, fresh(), 0)).to.equal(undefined);
  });

  it('decides nothing while a thread is starting or retiring (not ready)', () => {
    expect(decideThreads([blocked, starting, off], limits, fresh(), 0)).to.equal(undefined);
    const state = fresh();
    decideThreads([idle, idle], limits, state, 0);
    expect(decideThreads([idle, starting], limits, state, 20_000)).to.equal(undefined);
    expect(state.slackSince).to.equal(undefined);
  });

  it('decides nothing with no thread running', () => {
    expect(decideThreads([off, off], limits, fresh(), 0)).to.equal(undefined);
  });

  it('retires the highest running thread after idleMs of slack, then waits another idleMs', () => {
    const state = fresh();
    const three = [idle, idle, idle];
    expect(decideThreads(three, limits, state, 1000)).to.equal(undefined);
    expect(decideThreads(three, limits, state, 1000 + limits.idleMs - 1)).to.equal(undefined);
    expect(decideThreads(three, limits, state, 1000 + limits.idleMs)).to.deep.equal({ act: 'retire', thread: 2 });
    expect(decideThreads([idle, idle, off], limits, state, 1000 + limits.idleMs + 1)).to.equal(undefined);
    expect(decideThreads([idle, idle, off], limits, state, 1000 + 2 * limits.idleMs)).to.deep.equal({ act: 'retire', thread: 1 });
  });

  it('retires the highest running row even with a gap below it', () => {
    const state = fresh();
    decideThreads([idle, off, idle], limits, state, 0);
    expect(decideThreads([idle, off, idle], limits, state, limits.idleMs)).to.deep.equal({ act: 'retire', thread: 2 });
  });

  it('never goes below min', () => {
    const state = fresh();
    decideThreads([idle, idle], { min: 2, idleMs: 10 }, state, 0);
    expect(decideThreads([idle, idle], { min: 2, idleMs: 10 }, state, 1000)).to.equal(undefined);
    expect(decideThreads([idle, off], limits, fresh(), 0)).to.equal(undefined);
  });

  it('restarts the idle clock whenever the work would not fit in one thread fewer', () => {
    const state = fresh();
    const two = (cpu: number): ThreadSample[] => [{ ...busyAsync, cpu }, { ...busyAsync, cpu }];
    decideThreads(two(0.1), limits, state, 0);
    expect(state.slackSince).to.equal(0);
    // 2 × 0.3 = 0.6 > 1 × CPU_SLACK: both threads are needed.
    expect(decideThreads(two(0.3), limits, state, 10_000)).to.equal(undefined);
    expect(state.slackSince).to.equal(undefined);
    decideThreads(two(CPU_SLACK / 2), limits, state, 11_000);
    expect(decideThreads(two(CPU_SLACK / 2), limits, state, 11_000 + limits.idleMs)).to.deep.equal({ act: 'retire', thread: 1 });
  });

  it('skips a row held back after a failed start, and starts nothing when every free row is held', () => {
    const held: ThreadSample = { ...off, held: true };
    expect(decideThreads([blocked, held, off], limits, fresh(), 0)).to.deep.equal({ act: 'start', thread: 2, reason: 'blocked' });
    expect(decideThreads([blocked, held], limits, fresh(), 0)).to.equal(undefined);
  });

  it('does not retire a thread that holds upgraded connections (WebSockets); the slack clock runs on', () => {
    const state = fresh();
    const ws: ThreadSample = { ...idle, holding: true };
    decideThreads([idle, ws], limits, state, 0);
    expect(decideThreads([idle, ws], limits, state, limits.idleMs)).to.equal(undefined);
    expect(decideThreads([idle, idle], limits, state, limits.idleMs + 1)).to.deep.equal({ act: 'retire', thread: 1 });
  });

  it('keeps an extra thread while any thread is blocked (a blocking episode in progress)', () => {
    const state = fresh();
    decideThreads([{ ...blocked, working: false }, idle], limits, state, 0);
    expect(decideThreads([{ ...blocked, working: false }, idle], limits, state, 60_000)).to.equal(undefined);
  });
});
