/**
 * What the master's handlers do with a daemon's events: its process exited (or could not be
 * started), its pidfile was read, one of its touch files changed. They change the daemon table
 * (and, for a control daemon's death, the wanted phase); the reconcile step acts.
 */
import { stopGracefully } from '../commands';
import type { EventOf } from '../events';
import type { MasterContext } from '../master-context';
import { CHECK_EVERY_MS } from './reconcile-daemons';
import { quickDeathsAfter, restartDelayMs } from './daemon-throttle';
import { isSmart, type DaemonRecord } from './daemon-table';

export function onDaemonExit(ctx: MasterContext, e: EventOf<'daemon-exit'>): void {
  const r = ctx.daemons.get(e.key);
  if (r === undefined || r.child !== e.pid) return;
  const now = ctx.now();
  r.child = undefined;
  if (r.pid === e.pid) r.pid = undefined;
  r.lastExit = { code: e.code, signal: e.signal, at: now };
  const how = e.signal !== null ? `killed by ${e.signal}` : `exited with code ${e.code}`;
  ctx.log.info({ event: 'daemon-exited', daemon: r.id, daemonPid: e.pid, code: e.code, signal: e.signal, cmd: r.spec.command }, `daemon ${r.id} (pid ${e.pid}) ${how}: ${r.spec.command}`);
  if (r.stopping !== undefined || ctx.wanted.phase !== 'running') return;
  if (r.spec.control) return controlDied(ctx, r);
  // A smart daemon's own process may have forked the daemon and left: its pidfile decides.
  if (!isSmart(r)) planRestart(ctx, r, now);
}

export function onDaemonSpawnFailed(ctx: MasterContext, e: EventOf<'daemon-spawn-failed'>): void {
  const r = ctx.daemons.get(e.key);
  if (r === undefined) return;
  ctx.log.error({ event: 'daemon-spawn-failed', daemon: r.id, err: e.message, cmd: r.spec.command }, `daemon ${r.id} cannot be started: ${e.message}`);
  if (r.stopping === undefined && ctx.wanted.phase === 'running') planRestart(ctx, r, ctx.now());
}

/** A smart daemon's pidfile was read: `pid` is the live process it names, if any. */
export function onPidfileRead(ctx: MasterContext, e: EventOf<'daemon-pidfile'>): void {
  const r = ctx.daemons.get(e.key);
  if (r === undefined) return;
  const now = ctx.now();
  r.checking = false;
  r.nextCheckAt = now + CHECK_EVERY_MS;
  if (r.stopping !== undefined || r.startAt !== undefined) return;
  if (e.pid !== undefined) {
    if (r.pid !== e.pid || !r.watched) {
      const found = r.child === undefined && r.starts === 0 ? 'found running' : 'running';
      ctx.log.info({ event: 'daemon-pidfile', daemon: r.id, daemonPid: e.pid, pidfile: r.spec.pidfile }, `daemon ${r.id} ${found} as pid ${e.pid} (${r.spec.pidfile})`);
    }
    r.pid = e.pid;
    r.watched = true;
    return;
  }
  // Our start still runs: a foreground daemon that has not written its pidfile yet.
  if (r.child !== undefined) {
    r.pid = r.child;
    return;
  }
  // It went to the background: give it `freq` seconds to write its pidfile.
  if (!r.watched && r.startedAt !== undefined && now - r.startedAt < r.spec.freq * 1000) return;
  if (r.starts > 0) {
    const why = r.watched ? 'its process is gone' : `no live pid in it ${r.spec.freq} s after the start`;
    ctx.log.warn({ event: 'daemon-gone', daemon: r.id, pidfile: r.spec.pidfile, cmd: r.spec.command }, `daemon ${r.id} (${r.spec.pidfile}): ${why}`);
  }
  r.pid = undefined;
  if (r.spec.control && r.starts > 0) return controlDied(ctx, r);
  planRestart(ctx, r, now);
}

export function onDaemonTouched(ctx: MasterContext, e: EventOf<'daemon-touched'>): void {
  for (const r of ctx.daemons.all()) {
    if (r.stopping !== undefined || !r.spec.touch.includes(e.file)) continue;
    r.touched = e.file;
    ctx.log.info({ event: 'daemon-touched', daemon: r.id, file: e.file, signal: r.spec.stopSignal }, `${e.file} touched: daemon ${r.id} gets ${r.spec.stopSignal} and starts again`);
  }
}

/** A smart daemon that never showed a live pid counts as a quick death too. */
function planRestart(ctx: MasterContext, r: DaemonRecord, now: number): void {
  const lived = r.startedAt === undefined ? Infinity : now - r.startedAt;
  r.quickDeaths = r.starts === 0 ? 0 : isSmart(r) && !r.watched ? r.quickDeaths + 1 : quickDeathsAfter(r.quickDeaths, lived);
  const delay = restartDelayMs(r.quickDeaths, r.spec.maxThrottle);
  r.startAt = now + delay;
  if (delay > 0) {
    ctx.log.warn({ event: 'daemon-throttled', daemon: r.id, delayMs: delay, quickDeaths: r.quickDeaths, cmd: r.spec.command }, `daemon ${r.id} keeps dying: next start in ${delay / 1000} s`);
  }
}

function controlDied(ctx: MasterContext, r: DaemonRecord): void {
  ctx.log.warn({ event: 'control-daemon-died', daemon: r.id, cmd: r.spec.command }, `control daemon ${r.id} is gone: the master stops`);
  stopGracefully(ctx);
}
