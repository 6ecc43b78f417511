/**
 * Feeds thread-demand.ts: every CHECK_MS the main thread samples each app thread (its
 * heartbeat and requests from the scoreboard, its CPU time from /proc) and acts on the
 * decision. Nothing runs when every thread always runs (threads-min = threads).
 */
import { BEAT_MS } from '../scoreboard/layout';
import type { HostOptions } from './app-host';
import type { AppThread } from './app-threads';
import { CpuWindow, threadCpuMs } from './thread-cpu';
import { decideThreads, type DemandState, type ThreadSample } from './thread-demand';

const CHECK_MS = 250;
/**
 * A heartbeat older than this: the loop missed three beats in a row, it is blocked. Not less: a
 * thread of a machine overloaded several times over can be off the CPU for a few hundred ms,
 * and another thread would not help it.
 */
const STALE_MS = 4 * BEAT_MS;
/** CPU shares are taken over this window (/proc counts in 10 ms ticks). */
const CPU_WINDOW_MS = 1000;

export interface DemandActions {
  start(index: number, reason: 'blocked' | 'cpu'): void;
  retire(index: number, idleS: number): void;
}

/**
 * `mainReady`: row 0 runs on this thread (threads-min = 1). Its heartbeat cannot look stale from
 * here (this code runs only when the thread is free), so a block shows as this timer's own lag.
 */
export function watchDemand(threads: readonly AppThread[], o: HostOptions, mainReady: (() => boolean) | undefined, act: DemandActions): { begin(): void; end(): void } {
  const { threadsMin, threadsIdle, threads: max } = o.config;
  if (threadsMin >= max) return { begin: () => undefined, end: () => undefined };
  const windows = threads.map(() => new CpuWindow(CPU_WINDOW_MS));
  const startedAt: number[][] = threads.map(() => []);
  const state: DemandState = { slackSince: undefined };
  let timer: NodeJS.Timeout | undefined;

  let lastCheck = Date.now();

  const sample = (t: AppThread, i: number, now: number, lagged: boolean): ThreadSample => {
    if (i === 0 && mainReady !== undefined) return sampleMain(now, lagged);
    // A retiring thread still runs (ready: false), a starting one already: no decision until
    // it has gone or accepts.
    const running = t.worker !== undefined || t.starting;
    const tid = o.board.tid(i);
    windows[i].add(now, running && t.ready ? threadCpuMs(tid) : undefined);
    const beat = o.board.beat(i);
    return {
      running, ready: t.ready, blocked: t.ready && beat > 0 && now - beat > STALE_MS, cpu: windows[i].share(), working: working(i, now),
      held: !running && now < t.notBefore, holding: running && o.board.upgraded(i) > 0,
    };
  };

  const sampleMain = (now: number, lagged: boolean): ThreadSample => {
    const ready = mainReady?.() === true;
    windows[0].add(now, ready ? threadCpuMs(o.board.tid(0)) : undefined);
    return { running: true, ready, blocked: ready && lagged, cpu: windows[0].share(), working: working(0, now) };
  };

  /** Took a request during the window, or has one in flight. */
  const working = (i: number, now: number): boolean => {
    const counts = startedAt[i];
    counts.push(o.board.started(i));
    if (counts.length > CPU_WINDOW_MS / CHECK_MS + 1) counts.shift();
    return counts[counts.length - 1] > counts[0] || o.board.oldest(i, now) !== undefined;
  };

  const check = (): void => {
    const now = Date.now();
    const lagged = now - lastCheck - CHECK_MS > STALE_MS;
    lastCheck = now;
    const samples = threads.map((t, i) => sample(t, i, now, lagged));
    const d = decideThreads(samples, { min: threadsMin, idleMs: threadsIdle * 1000 }, state, now);
    if (d?.act === 'start') {
      windows[d.thread].clear();
      act.start(d.thread, d.reason);
    } else if (d?.act === 'retire') act.retire(d.thread, threadsIdle);
  };

  return {
    begin: () => {
      lastCheck = Date.now();
      // The first check compares with this: a request that blocks before it is still work.
      startedAt.forEach((counts, i) => counts.push(o.board.started(i)));
      timer = setInterval(check, CHECK_MS);
      timer.unref();
    },
    end: () => clearInterval(timer),
  };
}
