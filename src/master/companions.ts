/**
 * What the master runs besides its workers: mules (mules/) and cron jobs (cron/). Their tables
 * go through the same reconcile step as the workers' (reconcile.ts), so a stop drains them
 * with the workers and the master exits only once every one of them is gone.
 */
import { cronClock } from '../shared/cron/clock';
import { CronTable, type CronJob } from './cron/cron-table';
import { applyCronAction, type CronAction } from './cron/cron-reconcile';
import { MuleTable, type MuleRecord } from './mules/mule-table';
import { applyMuleAction, type MuleAction } from './mules/mule-reconcile';

export interface Companions {
  readonly mules: MuleTable;
  readonly crons: CronTable;
}

export type CompanionAction = MuleAction | CronAction;

/** None at all (unit tests of the workers' part). */
export function noCompanions(): Companions {
  return { mules: new MuleTable(), crons: new CronTable([], cronClock({}), 0) };
}

export function isCompanionAction(a: { readonly do: string }): a is CompanionAction {
  return a.do.startsWith('mule-') || a.do.startsWith('cron-');
}

export function applyCompanionAction(c: Companions, a: CompanionAction, now: number): MuleRecord | CronJob | undefined {
  return a.do.startsWith('mule-') ? applyMuleAction(c.mules, a as MuleAction, now) : applyCronAction(c.crons, a as CronAction, now);
}

/** No mule process and no cron run left. */
export function companionsGone(c: Companions): boolean {
  return c.mules.size === 0 && c.crons.idle();
}
