/**
 * SIGUSR1 / fifo s, for mules and cron jobs: one line each, from the master's own tables (a
 * mule is not asked; what the master knows of it is what an operator needs: is it up, since
 * when, how many messages wait). Written right away, before the workers' lines, which wait for
 * their answers (worker-report.ts).
 */
import type { Logger } from '../shared/logger';
import type { Companions } from './companions';

export function reportCompanions(c: Companions, log: Logger, now: number): void {
  for (const r of c.mules.all()) {
    const box = c.mules.mailbox(r.id);
    const status = r.pid === undefined ? 'down' : r.retiring ? 'stopping' : !r.ready ? 'starting' : box.inFlightCount > 0 ? 'busy' : 'idle';
    log.info(
      {
        event: 'mule-state', mule: r.id, mulePid: r.pid, status, upMs: r.pid === undefined ? undefined : now - r.spawnedAt,
        queued: box.queuedCount, inHand: box.inFlightCount, handled: box.handled, lost: box.lost,
      },
      `mule ${r.id} (pid ${r.pid ?? '-'}) ${status}; ${box.queuedCount} queued, ${box.inFlightCount} in hand, ${box.handled} handled`,
    );
  }
  for (const j of c.crons.jobs) {
    const running = j.pid !== undefined;
    log.info(
      {
        event: 'cron-state', cron: j.id, schedule: j.schedule.text, command: j.command, cronPid: j.pid, runs: j.runs, skips: j.skips,
        failures: j.failures, runningMs: running ? now - j.startedAt : undefined, nextAt: j.nextAt, lastCode: j.lastExit?.code,
      },
      `cron ${j.id} (${j.schedule.text} ${j.command}) ${running ? `running (pid ${j.pid}) for ${now - j.startedAt} ms` : 'idle'}; ${j.runs} runs, ${j.skips} skipped`,
    );
  }
}
