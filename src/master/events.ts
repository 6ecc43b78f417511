import type { ThreadReport } from '../shared/ipc';

/** Everything that can happen to the master, as plain events on one queue. */
/** Worker events name the worker's slot `key` (unique for the master's life), not its id. */
export type MasterEvent =
  | { kind: 'signal'; name: NodeJS.Signals }
  | { kind: 'command'; command: string; source: string }
  | { kind: 'worker-ready'; key: number; pid: number }
  | { kind: 'worker-app-failed'; key: number; code: string; message: string }
  | { kind: 'worker-needs-sockets'; key: number; pid: number; thread: number }
  | { kind: 'worker-exit'; key: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'worker-recycle'; key: number; pid: number; reason: string; detail: Record<string, number> }
  | { kind: 'worker-report'; key: number; pid: number; rssBytes: number; threads: ThreadReport[] }
  | { kind: 'report-due'; round: number }
  | { kind: 'respawn-due'; key: number }
  | { kind: 'mercy-expired' };

export type EventKind = MasterEvent['kind'];
export type EventOf<K extends EventKind> = Extract<MasterEvent, { kind: K }>;
