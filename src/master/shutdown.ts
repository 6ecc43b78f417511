/**
 * The master's last steps. `finish`: every worker is gone (a stop or a halt ran its course):
 * stop watching, close what the master serves, vacuum, log, exit with the code the stop chose.
 * `crash`: the master's own fault (an uncaught exception: a bug, or an environment it cannot
 * work in): nothing is trusted any more, so no graceful stop. Workers are killed (they would
 * exit on the closed channel anyway, but not at once), the files removed as at a normal stop,
 * one line logged with the stack, exit Internal. Each step runs even if one before it throws.
 */
import type { LogHandle } from '../shared/logger';
import { ExitCode } from '../shared/exit-codes';
import type { MasterFifo } from './master-fifo';
import type { BoundSocket } from './sockets';
import type { StatsServer } from './stats/stats-server';
import type { QueueWatch } from './stats/queue-watch';
import { removeOwnFiles } from './vacuum';

/** What the master opened and must close or remove on the way out. */
export interface Owned {
  readonly logs: LogHandle;
  readonly sockets: readonly BoundSocket[];
  readonly vacuum: boolean;
  readonly pidfile: string | undefined;
  readonly fifo: MasterFifo | undefined;
  readonly statsServer: StatsServer | undefined;
  readonly queueWatch: QueueWatch | undefined;
  readonly stopWatching: readonly (() => void)[];
}

export function finish(owned: Owned, exitCode: number): never {
  for (const stop of owned.stopWatching) stop();
  owned.fifo?.close();
  owned.queueWatch?.stop();
  owned.statsServer?.close();
  vacuum(owned);
  owned.logs.logger.info({ event: 'stopped', code: exitCode }, `tsuwsgi stopped (exit ${exitCode})`);
  owned.logs.flush();
  process.exit(exitCode);
}

export function crash(owned: Owned, err: unknown, killWorkers: () => void): never {
  const steps = [
    () => owned.logs.logger.fatal({ event: 'master-crashed', err }, `master crashed, workers killed: ${err instanceof Error ? err.message : String(err)}`),
    killWorkers,
    () => vacuum(owned),
    () => owned.logs.flush(),
  ];
  for (const step of steps) {
    try {
      step();
    } catch (again) {
      process.stderr.write(`tsuwsgi: while crashing: ${again instanceof Error ? again.message : String(again)}\n`);
    }
  }
  process.exit(ExitCode.Internal);
}

/** Only the files this master created, and only if they are still the ones it created. */
function vacuum(owned: Owned): void {
  removeOwnFiles(
    { vacuum: owned.vacuum, sockets: owned.sockets, fifo: owned.fifo?.file, pidfile: owned.pidfile, stats: owned.statsServer?.file },
    owned.logs.logger,
  );
}
