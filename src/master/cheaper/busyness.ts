/**
 * uWSGI's `busyness` (plugins/cheaper_busyness/cheaper_busyness.c, by Łukasz Mierzwa), called
 * once a second. Every cheaper-overload seconds each worker's busyness is the share of that
 * time it had a request in flight (uWSGI: its running time; a worker busy at every sample that
 * finished nothing counts 100%), and the average decides: above cheaper-busyness-max,
 * cheaper-step workers are added; below cheaper-busyness-min for cheaper-overload × multiplier
 * seconds, one is removed. A worker removed and needed again within that time raises the
 * multiplier by the penalty (it comes back down by one per later action). Between the checks
 * the listen queue is watched: longer than backlog-alert, or non-empty for backlog-nonzero
 * seconds, starts "emergency" workers, which are removed with the (shorter) backlog multiplier.
 * Times are ms here (µs in uWSGI); the arithmetic is uWSGI's, integer percentages included.
 */
import { KEEP, startable, type CheaperDecision, type CheaperInputs, type CheaperSettings } from './types';

export interface BusynessState {
  /** Each worker's busy µs at the last check, by worker key. */
  readonly lastValues: Map<number, number>;
  /** Samples that found each worker busy since the last check. */
  readonly wasBusy: Map<number, number>;
  tcheck: number;
  lastCheaped: number;
  nextCheap: number;
  multi: number;
  readonly minMulti: number;
  /** 1: workers were added last; 2: one was removed. */
  lastAction: 0 | 1 | 2;
  tolerance: number;
  emergency: number;
  backlogNonzero: boolean;
  backlogSince: number;
}

export function busynessState(now: number, c: CheaperSettings): BusynessState {
  const s: BusynessState = {
    lastValues: new Map(), wasBusy: new Map(), tcheck: now, lastCheaped: 0, nextCheap: 0,
    multi: c.busyness.multiplier, minMulti: c.busyness.multiplier, lastAction: 0, tolerance: 0, emergency: 0,
    backlogNonzero: false, backlogSince: 0,
  };
  setNextCheap(s, now, c);
  return s;
}

export function busyness(s: BusynessState, i: CheaperInputs, c: CheaperSettings): CheaperDecision {
  const notes: string[] = [];
  const keys = new Set(i.workers.map((w) => w.key));
  for (const k of [...s.wasBusy.keys()]) if (!keys.has(k)) s.wasBusy.delete(k);
  for (const w of i.workers) s.wasBusy.set(w.key, (s.wasBusy.get(w.key) ?? 0) + (w.busy ? 1 : 0));
  const periodMs = c.overload * 1000;
  if (i.now - s.tcheck >= periodMs) return check(s, i, c, notes, average(s, i, periodMs, c, notes));
  return watchBacklog(s, i, c, notes);
}

/** The workers' average busyness over the last period, in whole percent. */
function average(s: BusynessState, i: CheaperInputs, periodMs: number, c: CheaperSettings, notes: string[]): number {
  s.tcheck = i.now;
  let total = 0;
  for (const w of i.workers) {
    const delta = Math.max(0, w.busyMicros - (s.lastValues.get(w.key) ?? 0));
    let percent = Math.floor((delta * 100) / (periodMs * 1000));
    if (percent > 100) percent = 100;
    else if (delta === 0 && (s.wasBusy.get(w.key) ?? 0) > 0) percent = 100;
    s.wasBusy.set(w.key, 0);
    s.lastValues.set(w.key, w.busyMicros);
    total += percent;
  }
  for (const k of [...s.lastValues.keys()]) if (!i.workers.some((w) => w.key === k)) s.lastValues.delete(k);
  const avg = i.workers.length > 0 ? Math.floor(total / i.workers.length) : 0;
  if (c.busyness.verbose) notes.push(`${c.overload}s average busyness of ${i.workers.length} worker(s) is at ${avg}%`);
  return avg;
}

function check(s: BusynessState, i: CheaperInputs, c: CheaperSettings, notes: string[], avg: number): CheaperDecision {
  const b = c.busyness;
  const active = i.workers.length;
  if (avg > b.max) {
    s.tolerance = 0;
    const add = i.canSpawn ? startable(active, c.step, c.max) : 0;
    if (add === 0) return { ...KEEP, notes };
    s.lastAction = 1;
    if ((i.now - s.lastCheaped) / c.overload / 1000 <= s.multi) {
      s.multi += b.penalty;
      notes.push(`worker(s) respawned too fast, increasing cheaper multiplier to ${s.multi} (+${b.penalty})`);
    } else decreaseMulti(s, notes);
    setNextCheap(s, i.now, c);
    return { delta: add, reason: `${c.overload}s average busyness is at ${avg}% (over ${b.max}%)`, notes };
  }
  if (i.canSpawn && i.backlog > b.backlogAlert && active < c.max) return emergency(s, i, c, notes);
  if (avg < b.min) {
    if (active === 1) return { ...KEEP, notes };
    s.tolerance = 0;
    if (active > c.min && i.now >= s.nextCheap) {
      if (s.lastAction === 2) decreaseMulti(s, notes);
      setNextCheap(s, i.now, c);
      s.lastCheaped = i.now;
      s.lastAction = 2;
      if (s.emergency > 0) s.emergency--;
      return { delta: -1, reason: `${c.overload}s average busyness is at ${avg}% (under ${b.min}%)`, notes };
    }
    return { ...KEEP, notes };
  }
  if (active === 1) return { ...KEEP, notes };
  if (s.emergency > 0) s.emergency--;
  // Three in-between periods in a row restart the idle timer; fewer only postpone it by one.
  if (++s.tolerance >= 3) setNextCheap(s, i.now, c);
  else s.nextCheap += c.overload * 1000;
  return { ...KEEP, notes };
}

function watchBacklog(s: BusynessState, i: CheaperInputs, c: CheaperSettings, notes: string[]): CheaperDecision {
  const b = c.busyness;
  if (i.canSpawn && i.backlog > b.backlogAlert && i.workers.length < c.max) return emergency(s, i, c, notes);
  if (i.backlog > 0) {
    if (!s.backlogNonzero) {
      s.backlogNonzero = true;
      s.backlogSince = i.now;
    } else if (i.canSpawn && (i.now - s.backlogSince) / 1000 >= b.backlogNonzero) {
      s.backlogSince = i.now;
      return emergency(s, i, c, notes, `the listen queue was not empty for ${b.backlogNonzero} s`);
    }
  } else s.backlogNonzero = false;
  return notes.length > 0 ? { ...KEEP, notes } : KEEP;
}

function emergency(s: BusynessState, i: CheaperInputs, c: CheaperSettings, notes: string[], why?: string): CheaperDecision {
  s.multi = s.minMulti;
  s.lastAction = 1;
  const add = startable(i.workers.length, c.busyness.backlogStep, c.max);
  setNextCheap(s, i.now, c);
  if (add === 0) return { ...KEEP, notes };
  s.emergency += add;
  return { delta: add, reason: `${why ?? `${i.backlog} connection(s) in the listen queue (over ${c.busyness.backlogAlert})`}: emergency worker(s)`, notes };
}

function setNextCheap(s: BusynessState, now: number, c: CheaperSettings): void {
  const multi = s.emergency > 0 ? c.busyness.backlogMultiplier : s.multi;
  s.nextCheap = now + c.overload * multi * 1000;
}

function decreaseMulti(s: BusynessState, notes: string[]): void {
  if (s.multi <= s.minMulti) return;
  s.multi--;
  notes.push(`decreasing cheaper multiplier to ${s.multi}`);
}
