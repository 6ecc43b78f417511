/**
 * The Emperor's stats (emperor-stats): one JSON document per connection, then close, on a TCP
 * address or a unix socket, like the master's stats address and uWSGI's emperor-stats. The
 * listener is the master's (master/stats/stats-server.ts, used as is: stale-socket check,
 * mode at bind, listening on the bound fd); the document is the vassal table. Keys follow
 * uWSGI's emperor document where it has one (id, pid, born, loyal, ready, respawns, uid, gid,
 * last_mod); `state`, `starts`, `last_exit`, `stats` and the throttle are tsuwsgi's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EmperorConfig } from '../shared/config';
import { startStatsServer, type StatsServer } from '../master/stats/stats-server';
import { wasLoyal } from './throttle';
import type { Vassal, VassalState } from './vassal-table';

export interface VassalEntry {
  /** The file's name; `config` is its absolute path. */
  id: string;
  config: string;
  state: VassalState;
  /** 0 when it has no process. */
  pid: number;
  /** The vassal's own uid/gid under emperor-tyrant; null: started as the Emperor's user. */
  uid: number | null;
  gid: number | null;
  starts: number;
  /** starts - 1, uWSGI's count. */
  respawns: number;
  /** When the current process started, unix seconds (0: none). */
  born: number;
  ready: 0 | 1;
  loyal: 0 | 1;
  /** The file's mtime, unix seconds. */
  last_mod: number;
  last_exit: { code: number | null; signal: string | null; at: number } | null;
  /** Failed starts in a row, and when the next start is due while it waits. */
  strikes: number;
  next_start_in_ms: number | null;
  /** The vassal's own stats address (`tsuwsgi top` it), null without one. */
  stats: string | null;
  /** Its master's last status line (sd_notify STATUS=). */
  status: string | null;
  /** Why it is refused, or why its last start could not be made. */
  reason: string | null;
}

export interface EmperorDocument {
  version: string;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  /** When the Emperor started, unix seconds. */
  emperor_started: number;
  emperor: string[];
  emperor_tyrant: 0 | 1;
  throttle_ms: number;
  max_throttle_ms: number;
  vassals: VassalEntry[];
}

export interface VassalView {
  readonly vassal: Vassal;
  readonly stats: string | undefined;
}

/** Pure: the table and the clock in, the document out. */
export function emperorDocument(config: EmperorConfig, views: readonly VassalView[], now: number, self: { pid: number; uid: number; gid: number; cwd: string; startedAt: number }): EmperorDocument {
  return {
    version: packageVersion(),
    pid: self.pid,
    uid: self.uid,
    gid: self.gid,
    cwd: self.cwd,
    emperor_started: Math.floor(self.startedAt / 1000),
    emperor: [...config.patterns],
    emperor_tyrant: config.tyrant ? 1 : 0,
    throttle_ms: config.throttleMs,
    max_throttle_ms: config.maxThrottleMs,
    vassals: views.map((view) => entry(view, now)),
  };
}

function entry({ vassal: v, stats }: VassalView, now: number): VassalEntry {
  return {
    id: v.name,
    config: v.file,
    state: v.state,
    pid: v.pid ?? 0,
    uid: v.runAs?.uid ?? null,
    gid: v.runAs?.gid ?? null,
    starts: v.starts,
    respawns: Math.max(0, v.starts - 1),
    born: v.pid !== undefined && v.startedAt !== undefined ? Math.floor(v.startedAt / 1000) : 0,
    ready: v.pid !== undefined && v.readyAt !== undefined ? 1 : 0,
    loyal: v.pid !== undefined && wasLoyal({ readyAt: v.readyAt, exitAt: now }) ? 1 : 0,
    last_mod: Math.floor(v.signature.mtimeMs / 1000),
    last_exit: v.lastExit === undefined ? null : { code: v.lastExit.code, signal: v.lastExit.signal, at: Math.floor(v.lastExit.at / 1000) },
    strikes: v.strikes,
    next_start_in_ms: v.nextStartAt === undefined ? null : Math.max(0, v.nextStartAt - now),
    stats: stats ?? null,
    status: v.status ?? null,
    reason: v.why ?? null,
  };
}

/** The listener; `document` is called per connection. */
export function serveEmperorStats(config: EmperorConfig, document: () => EmperorDocument, onError: (err: Error) => void): Promise<StatsServer> | undefined {
  if (config.stats === undefined) return undefined;
  const source = {
    json: () => Promise.resolve(JSON.stringify(document())),
    // Never asked: the Emperor's address speaks the raw protocol only (no stats-http).
    metrics: () => Promise.reject(new Error('the Emperor has no Prometheus view')),
  };
  return startStatsServer(config.stats, false, source, onError, config.statsChmod);
}

let version: string | undefined;
function packageVersion(): string {
  // Same relative place from src/emperor (tsx) and dist/emperor (built).
  version ??= (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
