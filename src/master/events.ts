import type { ThreadReport } from '../shared/ipc';

/** Who called mules.send: an app thread of a worker, or a mule (by record key). */
export type MuleMessageFrom = { readonly worker: number; readonly thread: number } | { readonly mule: number };

/**
 * Everything that can happen to the master, as plain events on one queue; timers post events
 * too. Worker events name the worker record's `key` (unique for the master's life), not its id.
 */
export type MasterEvent =
  | { kind: 'signal'; name: NodeJS.Signals }
  | { kind: 'command'; command: string; source: string }
  | { kind: 'worker-ready'; key: number; pid: number }
  | { kind: 'worker-app-failed'; key: number; pid: number; code: string; message: string }
  /** The fork itself failed: no process was started for the record. */
  | { kind: 'worker-spawn-failed'; key: number; code: string; message: string }
  /** A message that does not fit its act's shape, or garbage on the channel, or a forged control message. */
  | { kind: 'worker-bad-message'; key: number; pid: number; why: string; recycle: boolean }
  /** A send to the worker or a signal to it failed (it is dying; its exit follows). */
  | { kind: 'worker-channel-error'; key: number; pid: number; message: string }
  | { kind: 'worker-needs-sockets'; key: number; pid: number; thread: number }
  | { kind: 'worker-exit'; key: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'worker-recycle'; key: number; pid: number; reason: string; detail: Record<string, number> }
  | { kind: 'worker-report'; key: number; pid: number; rssBytes: number; threads: ThreadReport[] }
  /** A worker's answer to the cheaper's question (cheaper/cycle.ts). */
  | { kind: 'worker-load'; key: number; pid: number; round: number; busyMicros: number; busy: boolean }
  /** Once a second with cheaper on: time for a decision. */
  | { kind: 'cheaper-cycle' }
  /** The cheaper's deadline for the answers of the round. */
  | { kind: 'cheaper-due'; round: number }
  /** The SIGUSR1 report's deadline for the round. */
  | { kind: 'report-due'; round: number }
  /** An attached daemon's process (key: its daemon record) exited, or could not be started. */
  | { kind: 'daemon-exit'; key: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'daemon-spawn-failed'; key: number; message: string }
  /** A smart daemon's pidfile was read: the live pid it names, if any. */
  | { kind: 'daemon-pidfile'; key: number; pid: number | undefined }
  /** A daemon's touch file changed. */
  | { kind: 'daemon-touched'; file: string }
  /** mules.send: a message for mule `mule` (its JSON text), to hold and to answer. */
  | { kind: 'mule-msg'; from: MuleMessageFrom; pid: number; seq: number; mule: number; payload: string }
  | { kind: 'mule-ready'; key: number; pid: number }
  /** The mule started on the oldest message it holds. */
  | { kind: 'mule-taken'; key: number; pid: number }
  /** The mule handled the message in hand. */
  | { kind: 'mule-done'; key: number; pid: number }
  | { kind: 'mule-load-failed'; key: number; pid: number; message: string }
  | { kind: 'mule-bad-message'; key: number; pid: number; why: string }
  | { kind: 'mule-spawn-failed'; key: number; code: string; message: string }
  | { kind: 'mule-exit'; key: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  /** A cron run ended (`pid`: its process group). */
  | { kind: 'cron-exit'; job: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'cron-spawn-failed'; job: number; code: string; message: string }
  /** Something the wanted state holds became due (a respawn, a recycle, a mercy deadline, a cron time). */
  | { kind: 'tick' };

export type EventKind = MasterEvent['kind'];
export type EventOf<K extends EventKind> = Extract<MasterEvent, { kind: K }>;
