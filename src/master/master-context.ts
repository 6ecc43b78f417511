/**
 * What the master's handlers work on: the wanted state, the worker and daemon tables (which
 * they may change), a logger, the time of the event, and the few things they ask of the world outside
 * (MasterIo). Unit tests build one with a fake MasterIo and drive the master without a process.
 */
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { EventOf, MuleMessageFrom } from './events';
import type { Companions } from './companions';
import type { MuleAck } from '../shared/mules/ipc';
import type { Wanted } from './wanted';
import type { WorkerTable } from './worker-table';
import type { DaemonTable } from './daemons/daemon-table';

export interface MasterIo {
  /** Re-reads the ini and the command line (throws as at start); undefined: nothing to re-read. */
  readonly reread: (() => Config) | undefined;
  reopenLogs(source: string): void;
  /** A replacement app thread needs its own dups of the listening sockets. */
  sendSockets(key: number, thread: number): void;
  startReport(): void;
  answerReport(e: EventOf<'worker-report'>): void;
  expireReport(round: number): void;
  /** The adaptive worker count (cheaper/cycle.ts); undefined without `cheaper`. */
  readonly cheaper?: {
    cycle(): void;
    answer(e: EventOf<'worker-load'>): void;
    expire(round: number): void;
  };
  /** A line for the operator's terminal, besides the log (need-app's load error). */
  stderr(text: string): void;
  /** The answer to a mules.send, to the app thread or mule that called it. */
  answerMule(to: MuleMessageFrom, ack: MuleAck): void;
}

export interface MasterContext {
  readonly wanted: Wanted;
  readonly table: WorkerTable;
  /** The attached daemons (src/master/daemons/). */
  readonly daemons: DaemonTable;
  /** Mules and cron jobs. */
  readonly companions: Companions;
  readonly log: Logger;
  readonly io: MasterIo;
  /** The time the event is handled at (Date.now() in the master; set by hand in tests). */
  readonly now: () => number;
}
