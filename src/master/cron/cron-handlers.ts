/** What the master makes of a cron run's end, or of a run that could not start: a log line and the job's record. */
import type { EventOf } from '../events';
import type { MasterContext } from '../master-context';

export function onCronExit(ctx: MasterContext, e: EventOf<'cron-exit'>): void {
  const j = ctx.companions.crons.get(e.job);
  if (j === undefined || j.pid !== e.pid) return;
  const now = ctx.now();
  const durationMs = now - j.startedAt;
  j.pid = undefined;
  j.stopSentAt = undefined;
  j.killed = false;
  j.lastExit = { code: e.code, signal: e.signal, durationMs, at: now };
  const ok = e.code === 0;
  if (!ok) j.failures++;
  ctx.log[ok || ctx.wanted.phase !== 'running' ? 'info' : 'warn'](
    { event: 'cron-finished', cron: j.id, schedule: j.schedule.text, cronPid: e.pid, code: e.code, signal: e.signal, durationMs },
    `cron ${j.id} (${j.schedule.text} ${j.command}) ${e.signal ? `ended on ${e.signal}` : `exited with code ${e.code}`} after ${durationMs} ms`,
  );
}

export function onCronSpawnFailed(ctx: MasterContext, e: EventOf<'cron-spawn-failed'>): void {
  const j = ctx.companions.crons.get(e.job);
  if (j === undefined) return;
  j.failures++;
  ctx.log.error({ event: 'cron-spawn-failed', cron: j.id, code: e.code }, `cron ${j.id} (${j.command}) could not be started: ${e.message} (${e.code})`);
}
