/**
 * Cron's part of the reconcile step (master/reconcile.ts runs it with the workers' and the
 * mules'). While running, a job whose time has come runs, or, when its previous run is still
 * going, skips this time (jobs never overlap with themselves). While stopping, a run in
 * progress gets SIGTERM, then SIGKILL past worker-reload-mercy; halting kills it at once.
 * Pure; `applyCronAction` makes the state change, the shell (cron-runner.ts) the process side.
 */
import type { Wanted } from '../wanted';
import type { CronJob, CronTable } from './cron-table';

export type CronAction =
  | { readonly do: 'cron-run'; readonly job: number }
  | { readonly do: 'cron-skip'; readonly job: number }
  | { readonly do: 'cron-stop'; readonly job: number }
  | { readonly do: 'cron-kill'; readonly job: number };

export function reconcileCron(w: Wanted, crons: CronTable, due: (at: number) => boolean): CronAction[] {
  const out: CronAction[] = [];
  const mercyMs = w.config.workerReloadMercy * 1000;
  for (const j of crons.jobs) {
    const a = w.phase === 'running' ? fire(j, due) : j.pid === undefined || j.killed ? undefined : w.phase === 'halting' ? kill(j) : stop(j, mercyMs, due);
    if (a !== undefined) out.push(a);
  }
  return out;
}

function fire(j: CronJob, due: (at: number) => boolean): CronAction | undefined {
  if (j.nextAt === undefined || !due(j.nextAt)) return undefined;
  return { do: j.pid === undefined ? 'cron-run' : 'cron-skip', job: j.id };
}

function kill(j: CronJob): CronAction {
  return { do: 'cron-kill', job: j.id };
}

function stop(j: CronJob, mercyMs: number, due: (at: number) => boolean): CronAction | undefined {
  if (j.stopSentAt === undefined) return { do: 'cron-stop', job: j.id };
  return due(j.stopSentAt + mercyMs) ? kill(j) : undefined;
}

export function applyCronAction(crons: CronTable, a: CronAction, now: number): CronJob | undefined {
  const j = crons.get(a.job);
  if (j === undefined) return undefined;
  switch (a.do) {
    case 'cron-run':
      j.runs++;
      j.startedAt = now;
      j.nextAt = crons.nextAfter(j, now);
      return j;
    case 'cron-skip':
      j.skips++;
      j.nextAt = crons.nextAfter(j, now);
      return j;
    case 'cron-stop':
      j.stopSentAt = now;
      return j;
    case 'cron-kill':
      j.killed = true;
      return j;
  }
}
