/**
 * The master's cron jobs (`cron =` lines): each one's schedule, when it is due next, and its
 * run in progress if any. Plain data plus the clock that turns a schedule into real times
 * (shared/cron/clock.ts); the decisions are cron-reconcile.ts's, the processes cron-runner.ts's.
 */
import type { CronLine } from '../../shared/config';
import type { CronClock } from '../../shared/cron/clock';
import { nextFire, parseSchedule, type CronSchedule } from '../../shared/cron/schedule';

export interface CronExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  /** When it ended, ms since epoch. */
  readonly at: number;
}

export interface CronJob {
  /** 1-based, in the order of the lines. */
  readonly id: number;
  readonly schedule: CronSchedule;
  readonly command: string;
  /** Real time of the next run; undefined if the schedule never fires again. */
  nextAt: number | undefined;
  /** The run in progress (a process group: the command and what it started). */
  pid: number | undefined;
  startedAt: number;
  stopSentAt: number | undefined;
  killed: boolean;
  runs: number;
  /** Runs skipped because the previous one was still going. */
  skips: number;
  /** Runs that exited non-zero, on a signal, or could not start. */
  failures: number;
  lastExit: CronExit | undefined;
}

export class CronTable {
  readonly jobs: readonly CronJob[];

  constructor(
    lines: readonly CronLine[],
    private readonly clock: CronClock,
    now: number,
  ) {
    this.jobs = lines.map((line, i) => {
      const parsed = parseSchedule(line.schedule);
      // The config loader validated every line: a failure here is a bug.
      if ('problem' in parsed) throw new Error(`cron line ${i + 1}: ${parsed.problem}`);
      const job: CronJob = {
        id: i + 1, schedule: parsed.schedule, command: line.command, nextAt: undefined, pid: undefined, startedAt: 0,
        stopSentAt: undefined, killed: false, runs: 0, skips: 0, failures: 0, lastExit: undefined,
      };
      job.nextAt = this.nextAfter(job, now);
      return job;
    });
  }

  get(id: number): CronJob | undefined {
    return this.jobs[id - 1];
  }

  /** The first real time after `now` the job's schedule fires at. */
  nextAfter(job: CronJob, now: number): number | undefined {
    const at = nextFire(job.schedule, this.clock.toCron(now));
    return at === undefined ? undefined : Math.ceil(this.clock.toReal(at));
  }

  /** No run in progress. */
  idle(): boolean {
    return this.jobs.every((j) => j.pid === undefined);
  }
}
