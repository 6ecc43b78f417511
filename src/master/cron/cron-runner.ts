/**
 * The process side of cron: runs a job's command with /bin/sh as the workers' user, with their
 * environment and directory, in a process group of its own, so that stopping it (SIGTERM on
 * stop, SIGKILL past worker-reload-mercy or on halt) reaches whatever the command started and
 * leaves no orphan. Its output goes where the master's goes.
 */
import { spawn } from 'node:child_process';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { workerCredentials } from '../credentials';
import type { MasterEvent } from '../events';
import { describeSpawnFailure } from '../spawn-failure';
import type { CronAction } from './cron-reconcile';
import type { CronJob } from './cron-table';

export class CronRunner {
  constructor(
    private readonly log: Logger,
    private readonly post: (e: MasterEvent) => void,
  ) {}

  perform(a: CronAction, j: CronJob | undefined, config: Config): void {
    if (j === undefined) return;
    switch (a.do) {
      case 'cron-run':
        return this.run(j, config);
      case 'cron-skip':
        this.log.warn(
          { event: 'cron-skipped', cron: j.id, schedule: j.schedule.text, cronPid: j.pid, runningMs: Date.now() - j.startedAt },
          `cron ${j.id} (${j.schedule.text} ${j.command}): the previous run (pid ${j.pid}) is still going; this one is skipped`,
        );
        return;
      case 'cron-stop':
        return this.signal(j, 'SIGTERM');
      case 'cron-kill':
        return this.signal(j, 'SIGKILL');
    }
  }

  private run(j: CronJob, config: Config): void {
    const failed = (err: unknown): void => {
      const f = describeSpawnFailure(err, config.chdir, '/bin/sh');
      this.post({ kind: 'cron-spawn-failed', job: j.id, code: f.code, message: f.message });
    };
    let child;
    try {
      child = spawn('/bin/sh', ['-c', j.command], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...Object.fromEntries(config.env), TSUWSGI_CRON_ID: String(j.id) },
        cwd: config.chdir,
        detached: true,
        ...workerCredentials(config),
      });
    } catch (err) {
      return failed(err);
    }
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', failed);
      return;
    }
    j.pid = pid;
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => this.post({ kind: 'cron-exit', job: j.id, pid, code, signal }));
    this.log.info({ event: 'cron-started', cron: j.id, schedule: j.schedule.text, cronPid: pid }, `cron ${j.id} (${j.schedule.text}) running: ${j.command} (pid ${pid})`);
  }

  /** The whole process group: the shell and what it started. */
  private signal(j: CronJob, sig: NodeJS.Signals): void {
    if (j.pid === undefined) return;
    try {
      process.kill(-j.pid, sig);
    } catch {
      // Gone already: its exit event is on its way.
    }
  }

  /** The master crashed: every run in progress is killed with it. */
  killAll(jobs: readonly CronJob[]): void {
    for (const j of jobs) this.signal(j, 'SIGKILL');
  }
}
