/**
 * The function form of cron: `ctx.cron('*\/5 * * * *', job)` runs `job` in the mule on that
 * schedule (uWSGI registers a cron that raises a signal a mule handles; here the mule keeps
 * the timer itself, so nothing crosses a process per run). The schedule is the cron option's
 * (shared/cron/schedule.ts). A run still going when the next is due skips that one, logged.
 */
import type { Logger } from '../shared/logger';
import { TsuwsgiError } from '../shared/errors';
import type { CronClock } from '../shared/cron/clock';
import { nextFire, parseSchedule, type CronSchedule } from '../shared/cron/schedule';

type Job = (signal: AbortSignal) => unknown;

interface Entry {
  readonly schedule: CronSchedule;
  readonly job: Job;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export class MuleCron {
  private readonly entries: Entry[] = [];
  private stopped = false;

  constructor(
    private readonly muleId: number,
    private readonly clock: CronClock,
    private readonly signal: AbortSignal,
    private readonly log: Logger,
  ) {}

  add(text: string, job: Job): void {
    if (typeof job !== 'function') throw new TypeError('cron needs a function to run');
    const parsed = parseSchedule(String(text));
    if ('problem' in parsed) throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `mule ${this.muleId} cron "${String(text)}": ${parsed.problem}`);
    const entry: Entry = { schedule: parsed.schedule, job, timer: undefined, running: undefined };
    this.entries.push(entry);
    this.arm(entry);
  }

  /** No new runs; resolves once the runs in progress have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.entries) clearTimeout(e.timer);
    await Promise.all(this.entries.flatMap((e) => (e.running === undefined ? [] : [e.running])));
  }

  private arm(e: Entry): void {
    if (this.stopped) return;
    const now = Date.now();
    const at = nextFire(e.schedule, this.clock.toCron(now));
    if (at === undefined) return;
    // Unref'd: the master's channel keeps the mule up; a timer alone must not.
    e.timer = setTimeout(() => this.fire(e), Math.max(0, this.clock.toReal(at) - now));
    e.timer.unref();
  }

  private fire(e: Entry): void {
    this.arm(e);
    const schedule = e.schedule.text;
    if (e.running !== undefined) {
      this.log.warn({ event: 'cron-skipped', mule: this.muleId, schedule }, `mule ${this.muleId} cron "${schedule}": the previous run is still going; this one is skipped`);
      return;
    }
    const started = Date.now();
    e.running = new Promise((resolve) => resolve(e.job(this.signal)))
      .then(
        () => this.log.info({ event: 'cron-finished', mule: this.muleId, schedule, durationMs: Date.now() - started }, `mule ${this.muleId} cron "${schedule}" finished`),
        (err: unknown) => this.log.error({ event: 'cron-failed', mule: this.muleId, schedule, err }, `mule ${this.muleId} cron "${schedule}" failed: ${(err as Error)?.message ?? String(err)}`),
      )
      .finally(() => {
        e.running = undefined;
      });
  }
}
