/**
 * What the master makes of mule events, and of mules.send from anyone: each handler updates
 * the mule table or a mailbox and logs; reconcile (mule-reconcile.ts) then starts, stops or
 * feeds mules. Events of a process that is no longer its record's are dropped.
 */
import { LogRateLimit } from '../../shared/log-rate-limit';
import { nextQuickDeaths, respawnDelayMs } from '../../shared/respawn-policy';
import type { ErrorCode } from '../../shared/errors';
import type { EventOf } from '../events';
import type { MasterContext } from '../master-context';
import type { MuleRecord } from './mule-table';
import { wantedMules } from './mule-reconcile';

export interface MuleFaultLogs {
  readonly badMessage: LogRateLimit;
  readonly queueFull: LogRateLimit;
}

export function muleFaultLogs(): MuleFaultLogs {
  return { badMessage: new LogRateLimit(), queueFull: new LogRateLimit() };
}

/** Held for the mule (the sender's promise resolves) or refused with a code (it rejects). */
export function onMuleMessage(ctx: MasterContext, faults: MuleFaultLogs, e: EventOf<'mule-msg'>): void {
  const from = e.from;
  const alive = 'worker' in from ? ctx.table.match(from.worker, e.pid) !== undefined : ctx.companions.mules.match(from.mule, e.pid) !== undefined;
  if (!alive) return;
  const refuse = (code: ErrorCode, message: string): void => ctx.io.answerMule(from, { seq: e.seq, code, message });
  const config = ctx.wanted.config;
  if (wantedMules(ctx.wanted, ctx.table.size) === 0 && config.mules.length > 0) {
    return refuse('E_MULE_UNAVAILABLE', `mules.send: the server is stopping; mule ${e.mule} takes no more messages`);
  }
  const count = config.mules.length;
  if (e.mule > count) return refuse('E_MULE_UNKNOWN', `mules.send: no mule ${e.mule} (${count === 0 ? 'no mule is configured' : `mules are 1..${count}`})`);
  const bytes = Buffer.byteLength(e.payload);
  if (bytes > config.muleMsgSize) return refuse('E_MULE_MESSAGE', `mules.send: the message is ${bytes} bytes of JSON, above mule-msg-size (${config.muleMsgSize})`);
  if (!ctx.companions.mules.mailbox(e.mule).accept(e.payload, config.muleQueue)) {
    const dropped = faults.queueFull.admit();
    if (dropped !== undefined) {
      ctx.log.warn({ event: 'mule-queue-full', mule: e.mule, queued: config.muleQueue, dropped }, `mule ${e.mule}'s queue is full (${config.muleQueue} messages, mule-queue): refusing messages${dropped > 0 ? ` (${dropped} more not logged)` : ''}`);
    }
    return refuse('E_MULE_QUEUE_FULL', `mules.send: mule ${e.mule}'s queue is full (${config.muleQueue} messages waiting, mule-queue)`);
  }
  ctx.io.answerMule(from, { seq: e.seq });
}

export function onMuleReady(ctx: MasterContext, faults: MuleFaultLogs, e: EventOf<'mule-ready'>): void {
  const r = ctx.companions.mules.match(e.key, e.pid);
  if (r === undefined) return;
  if (r.ready) return onMuleBadMessage(ctx, faults, { kind: 'mule-bad-message', key: e.key, pid: e.pid, why: '"ready" twice' });
  r.ready = true;
}

export function onMuleTaken(ctx: MasterContext, faults: MuleFaultLogs, e: EventOf<'mule-taken'>): void {
  const r = ctx.companions.mules.match(e.key, e.pid);
  if (r === undefined) return;
  if (!ctx.companions.mules.mailbox(r.id).taken()) onMuleBadMessage(ctx, faults, { kind: 'mule-bad-message', key: e.key, pid: e.pid, why: '"taken" with no message waiting, or one in hand already' });
}

export function onMuleDone(ctx: MasterContext, faults: MuleFaultLogs, e: EventOf<'mule-done'>): void {
  const r = ctx.companions.mules.match(e.key, e.pid);
  if (r === undefined) return;
  if (!ctx.companions.mules.mailbox(r.id).done()) onMuleBadMessage(ctx, faults, { kind: 'mule-bad-message', key: e.key, pid: e.pid, why: '"done" without a message in hand' });
}

export function onMuleLoadFailed(ctx: MasterContext, e: EventOf<'mule-load-failed'>): void {
  const r = ctx.companions.mules.match(e.key, e.pid);
  if (r !== undefined) ctx.log.error({ event: 'mule-load-failed', mule: r.id, mulePid: e.pid }, `mule ${r.id}: ${e.message}`);
}

export function onMuleExit(ctx: MasterContext, e: EventOf<'mule-exit'>): void {
  const r = ctx.companions.mules.match(e.key, e.pid);
  if (r === undefined) return;
  r.pid = undefined;
  r.ready = false;
  const now = ctx.now();
  const lived = now - r.spawnedAt;
  const expected = r.retiring || ctx.wanted.phase !== 'running';
  const lost = ctx.companions.mules.mailbox(r.id).processEnded();
  ctx.log[expected ? 'info' : 'warn'](
    { event: 'mule-exited', mule: r.id, mulePid: e.pid, code: e.code, signal: e.signal, livedMs: lived, ...(lost > 0 ? { lostMessages: lost } : {}) },
    `mule ${r.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with code ${e.code}`}${lost > 0 ? '; the message it had in hand is lost' : ''}`,
  );
  if (!expected) scheduleMuleRespawn(ctx, r, lived);
}

export function onMuleSpawnFailed(ctx: MasterContext, e: EventOf<'mule-spawn-failed'>): void {
  const r = ctx.companions.mules.get(e.key);
  if (r === undefined || r.pid !== undefined) return;
  r.spawnFailures++;
  const retry = !r.retiring && ctx.wanted.phase === 'running';
  const delay = retry ? scheduleMuleRespawn(ctx, r, 0, true) : 0;
  ctx.log.error(
    { event: 'mule-spawn-failed', mule: r.id, code: e.code, attempt: r.spawnFailures, ...(retry ? { delayMs: delay } : {}) },
    `mule ${r.id} could not be started: ${e.message} (${e.code})${retry ? `; next attempt in ${delay} ms` : ''}`,
  );
}

export function onMuleBadMessage(ctx: MasterContext, faults: MuleFaultLogs, e: EventOf<'mule-bad-message'>): void {
  const dropped = faults.badMessage.admit();
  if (dropped === undefined) return;
  const r: MuleRecord | undefined = ctx.companions.mules.get(e.key);
  ctx.log.warn(
    { event: 'mule-bad-message', mule: r?.id, mulePid: e.pid, why: e.why, dropped },
    `mule ${r?.id ?? '?'} (pid ${e.pid}) sent a message the master refuses: ${e.why}${dropped > 0 ? ` (${dropped} more not logged)` : ''}`,
  );
}

/** Throttled like a worker's respawn (shared/respawn-policy.ts); returns the delay. */
function scheduleMuleRespawn(ctx: MasterContext, r: MuleRecord, livedMs: number, quiet = false): number {
  r.quickDeaths = nextQuickDeaths(r.quickDeaths, livedMs);
  const delay = respawnDelayMs(r.quickDeaths);
  r.respawnAt = ctx.now() + delay;
  if (delay > 0 && !quiet) {
    ctx.log.warn({ event: 'mule-respawn-throttled', mule: r.id, delayMs: delay, quickDeaths: r.quickDeaths }, `mule ${r.id} respawning too fast: waiting ${delay} ms`);
  }
  return delay;
}
