/** Everything that can happen to the master, as plain events on one queue. */
export type MasterEvent =
  | { kind: 'signal'; name: NodeJS.Signals }
  | { kind: 'worker-ready'; id: number; pid: number }
  | { kind: 'worker-app-failed'; id: number; code: string; message: string }
  | { kind: 'worker-needs-sockets'; id: number; pid: number; thread: number }
  | { kind: 'worker-exit'; id: number; pid: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'respawn-due'; id: number }
  | { kind: 'mercy-expired' };

export type EventKind = MasterEvent['kind'];
export type EventOf<K extends EventKind> = Extract<MasterEvent, { kind: K }>;
