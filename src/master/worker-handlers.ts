/**
 * What the master makes of a worker's events: each handler records what happened in the
 * worker table and the wanted state, and logs it; reconcile.ts then starts, promotes or
 * retires whatever that calls for. Events of a process that is no longer the record's (a
 * respawned worker's predecessor) are dropped.
 */
import { ExitCode } from '../shared/exit-codes';
import { LogRateLimit } from '../shared/log-rate-limit';
import type { EventOf } from './events';
import type { MasterContext } from './master-context';
import { halt } from './commands';
import { BAD_IPC_RECYCLE, purposeOf, requestRecycle, scheduleRespawn, startFailed, type PlanContext } from './replacement-plan';
import type { WorkerRecord } from './worker-table';

/** Faults a worker can repeat at will are logged at a bounded rate. */
export interface FaultLogs {
  readonly badMessage: LogRateLimit;
  /** Garbage on the channel has its own budget: it is the line that explains a replacement. */
  readonly garbage: LogRateLimit;
  readonly channelError: LogRateLimit;
}

export function faultLogs(): FaultLogs {
  return { badMessage: new LogRateLimit(), garbage: new LogRateLimit(), channelError: new LogRateLimit() };
}

function plan(ctx: MasterContext): PlanContext {
  return { wanted: ctx.wanted, table: ctx.table, log: ctx.log, now: ctx.now() };
}

export function onWorkerReady(ctx: MasterContext, faults: FaultLogs, e: EventOf<'worker-ready'>): void {
  const r = ctx.table.match(e.key, e.pid);
  if (r === undefined) return;
  if (r.ready) return onBadMessage(ctx, faults, { kind: 'worker-bad-message', key: e.key, pid: e.pid, why: '"ready": already accepting', recycle: false });
  r.ready = true;
  ctx.log.info({ event: 'accepting', worker: r.id, workerPid: e.pid, workerRole: r.role }, `worker ${r.id} (pid ${e.pid}) accepting`);
}

export function onAppFailed(ctx: MasterContext, faults: FaultLogs, e: EventOf<'worker-app-failed'>): void {
  const r = ctx.table.match(e.key, e.pid);
  if (r === undefined) return;
  if (r.ready) return onBadMessage(ctx, faults, { kind: 'worker-bad-message', key: e.key, pid: e.pid, why: '"app-load-failed" after accepting', recycle: false });
  ctx.log.error({ event: 'app-load-failed', worker: r.id, workerPid: e.pid, code: e.code }, e.message);
  if (purposeOf(r) !== 'serve') return startFailed(plan(ctx), r, `could not load the app: ${e.message}`);
  if (firstBootUnderNeedApp(ctx)) {
    ctx.io.stderr(`tsuwsgi: ${e.message}\n`);
    halt(ctx, ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
  }
}

/** need-app: an app that cannot load at the first start stops the server instead of looping. */
function firstBootUnderNeedApp(ctx: MasterContext): boolean {
  return !ctx.wanted.everReady && ctx.wanted.config.needApp && ctx.wanted.phase === 'running';
}

export function onWorkerExit(ctx: MasterContext, e: EventOf<'worker-exit'>): void {
  const r = ctx.table.match(e.key, e.pid);
  if (r === undefined) return;
  r.pid = undefined;
  const now = ctx.now();
  const lived = now - r.spawnedAt;
  const expected = ctx.wanted.phase !== 'running' || r.role === 'retiring';
  ctx.log[expected ? 'info' : 'warn'](
    { event: 'worker-exited', worker: r.id, workerPid: e.pid, code: e.code, signal: e.signal, livedMs: lived, workerRole: r.role },
    `worker ${r.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with code ${e.code}`}`,
  );
  if (expected) return;
  if (purposeOf(r) !== 'serve') return startFailed(plan(ctx), r, `(pid ${e.pid}) exited before accepting (code ${e.code}, signal ${e.signal})`);
  if (e.code === ExitCode.AppLoadError && firstBootUnderNeedApp(ctx)) {
    return halt(ctx, ExitCode.AppLoadError, 'the app failed to load at start (need-app)');
  }
  // With threads = 1 harakiri's watchdog SIGKILLs its own process; the master sends an
  // active worker SIGKILL only when halting, so while running such an exit is a harakiri.
  if (e.signal === 'SIGKILL' && ctx.wanted.config.harakiri > 0) ctx.table.countHarakiriKill(r.id);
  const delay = scheduleRespawn(plan(ctx), r, lived);
  if (delay > 0) {
    ctx.log.warn({ event: 'respawn-throttled', worker: r.id, delayMs: delay, quickDeaths: r.quickDeaths }, `worker ${r.id} respawning too fast: waiting ${delay} ms`);
  }
}

/**
 * The fork failed: no process, so nothing to reap. An active worker is retried like one that
 * died at once (throttled, one line per attempt); at first boot too, need-app or not: a chdir
 * a deploy has not created yet or an EAGAIN is an environment that may heal, and need-app is
 * about the app failing to load in a worker that ran. "ready" waits until it accepts.
 */
export function onSpawnFailed(ctx: MasterContext, e: EventOf<'worker-spawn-failed'>): void {
  const r = ctx.table.get(e.key);
  if (r === undefined || r.pid !== undefined) return;
  r.spawnFailures++;
  const line = { event: 'spawn-failed', worker: r.id, code: e.code, attempt: r.spawnFailures, workerRole: r.role };
  if (ctx.wanted.phase === 'running' && r.role === 'active') {
    const delay = scheduleRespawn(plan(ctx), r, 0);
    ctx.log.error({ ...line, delayMs: delay }, `worker ${r.id} could not be started: ${e.message} (${e.code}); next attempt in ${delay} ms`);
    return;
  }
  ctx.log.error(line, `worker ${r.id} could not be started: ${e.message} (${e.code})`);
  if (ctx.wanted.phase === 'running') startFailed(plan(ctx), r, `could not be started: ${e.message} (${e.code})`);
}

export function onRecycle(ctx: MasterContext, e: EventOf<'worker-recycle'>): void {
  const r = ctx.table.match(e.key, e.pid);
  if (r !== undefined) requestRecycle(plan(ctx), r, e.reason, e.detail);
}

/** Dropped and logged (rate-limited); garbage on the channel also gets the worker replaced. */
export function onBadMessage(ctx: MasterContext, faults: FaultLogs, e: EventOf<'worker-bad-message'>): void {
  const r = ctx.table.match(e.key, e.pid);
  const dropped = (e.recycle ? faults.garbage : faults.badMessage).admit();
  if (dropped !== undefined) {
    ctx.log.warn(
      { event: 'worker-bad-message', worker: r?.id, workerPid: e.pid, why: e.why, dropped },
      `worker ${r?.id ?? '?'} (pid ${e.pid}) sent a message the master refuses: ${e.why}${dropped > 0 ? ` (${dropped} more not logged)` : ''}`,
    );
  }
  if (e.recycle && r !== undefined) requestRecycle(plan(ctx), r, BAD_IPC_RECYCLE, {});
}

export function onChannelError(ctx: MasterContext, faults: FaultLogs, e: EventOf<'worker-channel-error'>): void {
  const dropped = faults.channelError.admit();
  if (dropped === undefined) return;
  const r: WorkerRecord | undefined = ctx.table.get(e.key);
  ctx.log.info(
    { event: 'worker-channel-error', worker: r?.id, workerPid: e.pid, err: e.message, dropped },
    `worker ${r?.id ?? '?'} (pid ${e.pid}): ${e.message} (it is exiting)`,
  );
}
