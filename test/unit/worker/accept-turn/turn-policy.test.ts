/**
 * Whose turn it is to accept: the `accepting` live workers with the lowest ids always do, the
 * others only while every one of those is saturated (and for HOLD_MS after).
 */
import { expect } from 'chai';
import type { TurnRecord } from '../../../../src/shared/turn-board';
import { BUSY_ELU, CPU_BOUND_WAIT, decideTurn, HOLD_MS, LONG_HOLD_MS, primaries, SPARE_KEEP_ELU, STALE_MS, type TurnSelf } from '../../../../src/worker/accept-turn/turn-policy';

const NOW = 1_000_000;
const rec = (slot: number, workerId: number, over: Partial<TurnRecord> = {}): TurnRecord => ({
  slot, workerId, stampMs: NOW - 10, elu: 0.2, cpuWait: 0, present: true, primary: false, accepting: false, long: false, ...over,
});
/** Four workers, ids 1-4 in slots 0-3. */
const four = (over: Record<number, Partial<TurnRecord>> = {}): TurnRecord[] => [1, 2, 3, 4].map((id) => rec(id - 1, id, over[id]));
/** Worker `id` of four(): slot id - 1. */
const w = (id: number): TurnSelf => ({ slot: id - 1, workerId: id });
const ids = (rs: TurnRecord[]): number[] => rs.map((r) => r.workerId);

describe('worker/accept-turn/turn-policy', () => {
  it('the primaries are the live workers with the lowest ids, whatever their slots', () => {
    const rs = [rec(0, 4), rec(1, 3), rec(2, 1), rec(5, 2)];
    expect(ids(primaries(rs, { slot: 0, workerId: 4 }, NOW, 2))).to.deep.equal([1, 2]);
    expect(decideTurn(rs, { slot: 2, workerId: 1 }, NOW, 2, 0)).to.deep.equal({ accept: true, primary: true, heldUntil: 0 });
    expect(decideTurn(rs, { slot: 5, workerId: 2 }, NOW, 2, 0).accept).to.equal(true);
    expect(decideTurn(rs, { slot: 0, workerId: 4 }, NOW, 2, 0)).to.deep.equal({ accept: false, primary: false, heldUntil: 0 });
    expect(decideTurn(rs, { slot: 1, workerId: 3 }, NOW, 2, 0).accept).to.equal(false);
  });

  it('a spare accepts while every primary is saturated, and only then', () => {
    expect(decideTurn(four({ 1: { elu: BUSY_ELU }, 2: { elu: 0.5 } }), w(3), NOW, 2, 0).accept).to.equal(false);
    const d = decideTurn(four({ 1: { elu: BUSY_ELU }, 2: { elu: 1 } }), w(3), NOW, 2, 0);
    expect(d).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + HOLD_MS });
  });

  it('a spare stays out while the busy primaries wait for the CPUs, not for their app', () => {
    // Both loops busy, one of them waiting for a CPU a quarter of the time: the CPUs are the limit.
    const contended = four({ 1: { elu: 1, cpuWait: 0.05 }, 2: { elu: 1, cpuWait: CPU_BOUND_WAIT } });
    expect(decideTurn(contended, w(3), NOW, 2, 0)).to.deep.equal({ accept: false, primary: false, heldUntil: 0 });
    // Blocked in the app (no CPU wanted) or computing on cores of their own: the spare joins.
    const blocked = four({ 1: { elu: 1, cpuWait: 0 }, 2: { elu: BUSY_ELU, cpuWait: CPU_BOUND_WAIT - 0.01 } });
    expect(decideTurn(blocked, w(3), NOW, 2, 0)).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + HOLD_MS });
    // A stale primary is replaced whatever the CPUs do: the next live worker is a primary.
    const stale = four({ 1: { stampMs: NOW - STALE_MS - 1, cpuWait: 1 }, 2: { elu: 1, cpuWait: 1 } });
    expect(decideTurn(stale, w(3), NOW, 2, 0)).to.deep.equal({ accept: true, primary: true, heldUntil: 0 });
  });

  it('a spare that joined stays until HOLD_MS after it was last needed, then leaves', () => {
    const calm = four();
    expect(decideTurn(calm, w(4), NOW, 2, NOW + 1).accept).to.equal(true);
    expect(decideTurn(calm, w(4), NOW, 2, NOW).accept).to.equal(false);
    expect(decideTurn(calm, w(4), NOW, 2, NOW + 1).heldUntil).to.equal(NOW + 1);
  });

  it('a primary serving long requests counts as saturated at any load, and the spare holds LONG_HOLD_MS', () => {
    // One primary (2 x 1): long requests at a third of its capacity let the spare in.
    const long = [rec(0, 1, { elu: 0.3, long: true }), rec(1, 2)];
    expect(decideTurn(long, { slot: 1, workerId: 2 }, NOW, 1, 0)).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + LONG_HOLD_MS });
    // Every primary must be long or saturated, as for saturation alone.
    expect(decideTurn(four({ 1: { long: true }, 2: { elu: 0.5 } }), w(3), NOW, 2, 0).accept).to.equal(false);
    expect(decideTurn(four({ 1: { long: true }, 2: { elu: BUSY_ELU } }), w(3), NOW, 2, 0)).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + LONG_HOLD_MS });
    // A long primary that waits for the CPUs: a spare would wait for the same CPUs.
    expect(decideTurn([rec(0, 1, { elu: 0.6, long: true, cpuWait: CPU_BOUND_WAIT }), rec(1, 2)], { slot: 1, workerId: 2 }, NOW, 1, 0).accept).to.equal(false);
    // A saturation that follows a long spell does not cut the longer hold short.
    const held = decideTurn(four({ 1: { elu: 1 }, 2: { elu: 1 } }), w(3), NOW, 2, NOW + LONG_HOLD_MS - 5);
    expect(held.heldUntil).to.equal(NOW + LONG_HOLD_MS - 5);
    // Short requests again: the spare stays until its hold ends, then leaves.
    const short = [rec(0, 1, { elu: 0.3 }), rec(1, 2, { accepting: true })];
    expect(decideTurn(short, { slot: 1, workerId: 2 }, NOW, 1, NOW + LONG_HOLD_MS).accept).to.equal(true);
    expect(decideTurn(short, { slot: 1, workerId: 2 }, NOW, 1, NOW).accept).to.equal(false);
  });

  it('a joined spare that carries a share the primaries could not take back stays; one that waits for the CPUs or idles leaves', () => {
    const me = { slot: 1, workerId: 2 };
    const busySpare = [rec(0, 1, { elu: 0.6 }), rec(1, 2, { elu: SPARE_KEEP_ELU, accepting: true })];
    expect(decideTurn(busySpare, me, NOW, 1, NOW + 1)).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + HOLD_MS });
    // Once its hold has run out it does not come back by itself: only the primaries' state lets it in.
    expect(decideTurn(busySpare, me, NOW, 1, NOW).accept).to.equal(false);
    // Not accepting (its last decision), waiting for a CPU, or busy less than SPARE_KEEP_ELU once its waits are taken off: the hold is not extended.
    for (const over of [{ accepting: false }, { cpuWait: CPU_BOUND_WAIT }, { elu: SPARE_KEEP_ELU - 0.01 }, { elu: SPARE_KEEP_ELU + 0.15, cpuWait: 0.2 }]) {
      const rs = [rec(0, 1, { elu: 0.6 }), rec(1, 2, { elu: SPARE_KEEP_ELU, accepting: true, ...over })];
      expect(decideTurn(rs, me, NOW, 1, NOW + 1)).to.deep.equal({ accept: true, primary: false, heldUntil: NOW + 1 });
    }
  });

  it('a primary whose record is stale (a blocked loop, a stopped process) is replaced by the next live worker', () => {
    const rs = four({ 1: { stampMs: NOW - STALE_MS - 1 } });
    expect(ids(primaries(rs, w(4), NOW, 2))).to.deep.equal([2, 3]);
    expect(decideTurn(rs, w(3), NOW, 2, 0).accept).to.equal(true);
    expect(decideTurn(rs, w(4), NOW, 2, 0).accept).to.equal(false);
    // Just within the bound it still counts.
    expect(ids(primaries(four({ 1: { stampMs: NOW - STALE_MS } }), w(4), NOW, 2))).to.deep.equal([1, 2]);
  });

  it('a worker that left (drain) or a free slot does not count', () => {
    expect(ids(primaries(four({ 1: { present: false } }), w(3), NOW, 2))).to.deep.equal([2, 3]);
    const withFree = [...four(), rec(9, 0, { stampMs: 0, elu: 0, present: false })];
    expect(ids(primaries(withFree, w(1), NOW, 2))).to.deep.equal([1, 2]);
  });

  it('records no running worker wrote (a stamp from the future, NaN) do not count, so they cannot shut a worker out', () => {
    const junk = [rec(7, 0, { stampMs: NOW + 60_000 }), rec(8, 0, { stampMs: Number.NaN }), rec(9, 0, { elu: Number.NaN })];
    const rs = [...junk, rec(0, 3)];
    // Slot 9 is live (a fresh stamp) with an unreadable elu: it counts as a primary, never as saturated.
    expect(primaries(rs, { slot: 0, workerId: 3 }, NOW, 2).map((r) => r.slot)).to.deep.equal([9, 0]);
    expect(decideTurn(rs, { slot: 0, workerId: 3 }, NOW, 2, 0).accept).to.equal(true);
  });

  it('the asking worker counts itself with its own id, even before its first record is on the board', () => {
    const rs = [rec(0, 1), rec(1, 2), rec(2, 0, { stampMs: 0, present: false })];
    expect(decideTurn(rs, { slot: 2, workerId: 3 }, NOW, 3, 0).accept).to.equal(true);
    // Not as id 0 (the empty record's), which would put it first.
    expect(decideTurn(rs, { slot: 2, workerId: 3 }, NOW, 2, 0).accept).to.equal(false);
  });

  it('with fewer live workers than `accepting`, every live worker accepts', () => {
    const rs = four({ 2: { stampMs: 0 }, 3: { present: false } });
    expect(decideTurn(rs, w(4), NOW, 2, 0).accept).to.equal(true);
    expect(decideTurn(rs, w(1), NOW, 2, 0).accept).to.equal(true);
  });

  it('during a reload, the new worker and the old one with the same id are told apart by slot', () => {
    const rs = [rec(0, 1), rec(1, 2), rec(4, 1), rec(5, 2)];
    expect(primaries(rs, { slot: 5, workerId: 2 }, NOW, 2).map((r) => r.slot)).to.deep.equal([0, 4]);
  });
});
