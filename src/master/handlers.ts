/**
 * The handler table: one small handler per kind of event (Gunicorn's `handle_*`). Handlers
 * only change state (and log); reconcile, run by the queue after each event, acts.
 */
import type { EventKind, EventOf, MasterEvent } from './events';
import type { MasterContext } from './master-context';
import { handleCommand, handleSignal } from './commands';
import { onDaemonExit, onDaemonSpawnFailed, onDaemonTouched, onPidfileRead } from './daemons/daemon-handlers';
import { muleFaultLogs, onMuleBadMessage, onMuleDone, onMuleTaken, onMuleExit, onMuleLoadFailed, onMuleMessage, onMuleReady, onMuleSpawnFailed } from './mules/mule-handlers';
import { onCronExit, onCronSpawnFailed } from './cron/cron-handlers';
import { faultLogs, onAppFailed, onBadMessage, onChannelError, onRecycle, onSpawnFailed, onWorkerExit, onWorkerReady } from './worker-handlers';

export function eventHandler(ctx: MasterContext): (e: MasterEvent) => void {
  const faults = faultLogs();
  const muleFaults = muleFaultLogs();
  const handlers: { [K in EventKind]: (e: EventOf<K>) => void } = {
    signal: (e) => handleSignal(ctx, e.name),
    command: (e) => handleCommand(ctx, e.command, e.source),
    'worker-ready': (e) => onWorkerReady(ctx, faults, e),
    'worker-app-failed': (e) => onAppFailed(ctx, faults, e),
    'worker-spawn-failed': (e) => onSpawnFailed(ctx, e),
    'worker-bad-message': (e) => onBadMessage(ctx, faults, e),
    'worker-channel-error': (e) => onChannelError(ctx, faults, e),
    'worker-needs-sockets': (e) => {
      if (ctx.table.match(e.key, e.pid) !== undefined) ctx.io.sendSockets(e.key, e.thread);
    },
    'worker-exit': (e) => onWorkerExit(ctx, e),
    'worker-recycle': (e) => onRecycle(ctx, e),
    'worker-report': (e) => ctx.io.answerReport(e),
    'report-due': (e) => ctx.io.expireReport(e.round),
    'cheaper-cycle': () => ctx.io.cheaper?.cycle(),
    'worker-load': (e) => ctx.io.cheaper?.answer(e),
    'cheaper-due': (e) => ctx.io.cheaper?.expire(e.round),
    'daemon-exit': (e) => onDaemonExit(ctx, e),
    'daemon-spawn-failed': (e) => onDaemonSpawnFailed(ctx, e),
    'daemon-pidfile': (e) => onPidfileRead(ctx, e),
    'daemon-touched': (e) => onDaemonTouched(ctx, e),
    'mule-msg': (e) => onMuleMessage(ctx, muleFaults, e),
    'mule-ready': (e) => onMuleReady(ctx, muleFaults, e),
    'mule-taken': (e) => onMuleTaken(ctx, muleFaults, e),
    'mule-done': (e) => onMuleDone(ctx, muleFaults, e),
    'mule-load-failed': (e) => onMuleLoadFailed(ctx, e),
    'mule-bad-message': (e) => onMuleBadMessage(ctx, muleFaults, e),
    'mule-spawn-failed': (e) => onMuleSpawnFailed(ctx, e),
    'mule-exit': (e) => onMuleExit(ctx, e),
    'cron-exit': (e) => onCronExit(ctx, e),
    'cron-spawn-failed': (e) => onCronSpawnFailed(ctx, e),
    // Only wakes the queue: reconcile, which runs after it, finds what became due.
    tick: () => undefined,
  };
  return (e) => (handlers[e.kind] as (e: MasterEvent) => void)(e);
}
