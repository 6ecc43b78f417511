/**
 * Mules and cron jobs in the stats document and the Prometheus text. uWSGI's document has a
 * "mules" array (id, pid, signals, signal_queue); ours keeps those keys and adds what an
 * operator of a message-driven mule needs (status, queue, handled, lost). Cron jobs have no
 * uWSGI counterpart in the stats: "crons" is tsuwsgi's. A cron job shows its schedule, not its
 * command: a command line may carry a credential, and the stats address is often readable by
 * more people than the log and the ini (the same reason query strings stay out). Pure.
 */
import type { ModuleTarget } from '../../shared/config';
import type { StatsCron, StatsMule } from '../../shared/stats-document';
import type { Companions } from '../companions';
import { procMemory } from './proc-memory';

export interface CompanionsView {
  readonly mules: StatsMule[];
  readonly crons: StatsCron[];
}

/** Read from the master's tables (mule memory from /proc, as the workers'). */
export function companionsView(c: Companions, targets: readonly ModuleTarget[], read = procMemory): CompanionsView {
  const modules = targets.map((t) => `${t.appFile ?? t.appPackage ?? ''}${t.callable === undefined ? '' : `:${t.callable}`}`);
  const mules = c.mules.all().filter((r) => !r.retiring || r.pid !== undefined).map((r): StatsMule => {
    const box = c.mules.mailbox(r.id);
    const mem = r.pid === undefined ? { rssBytes: 0, vszBytes: 0 } : read(r.pid);
    return {
      id: r.id, pid: r.pid ?? 0, signals: 0, signal_queue: 0,
      status: r.pid === undefined ? 'down' : r.retiring ? 'stopping' : !r.ready ? 'starting' : box.inFlightCount > 0 ? 'busy' : 'idle',
      module: modules[r.id - 1] ?? '', last_spawn: Math.floor(r.spawnedAt / 1000), respawn_count: c.mules.spawnsById.get(r.id) ?? 0,
      queue: box.queuedCount, in_hand: box.inFlightCount, messages: box.handled, lost: box.lost, rss: mem.rssBytes, vsz: mem.vszBytes,
    };
  });
  const crons = c.crons.jobs.map((j): StatsCron => ({
    id: j.id, schedule: j.schedule.text, pid: j.pid ?? 0, runs: j.runs, skips: j.skips, failures: j.failures,
    next_run: j.nextAt === undefined ? 0 : Math.floor(j.nextAt / 1000),
    last_exit: j.lastExit === undefined || j.lastExit.code === null ? -1 : j.lastExit.code,
    last_run: j.lastExit === undefined ? 0 : Math.floor(j.lastExit.at / 1000),
  }));
  return { mules, crons };
}

type Sample = readonly [labels: string, value: number];
type Family = (name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]) => void;

/** The mule and cron families, through the caller's `family` writer. Nothing when there are none. */
export function companionFamilies(v: CompanionsView, family: Family): void {
  if (v.mules.length > 0) {
    const per = (f: (m: StatsMule) => number): Sample[] => v.mules.map((m) => [`{mule="${m.id}"}`, f(m)]);
    family('tsuwsgi_mule_up', 'gauge', '1 when the mule runs and takes messages.', per((m) => (m.status === 'idle' || m.status === 'busy' ? 1 : 0)));
    family('tsuwsgi_mule_messages_total', 'counter', 'Messages the mule reported handled.', per((m) => m.messages));
    family('tsuwsgi_mule_messages_lost_total', 'counter', 'Messages lost with a mule that died while handling them.', per((m) => m.lost));
    family('tsuwsgi_mule_queue', 'gauge', 'Messages waiting for the mule (in the master and in its hands).', per((m) => m.queue + m.in_hand));
    family('tsuwsgi_mule_respawns_total', 'counter', 'Times this mule was started again.', per((m) => Math.max(0, m.respawn_count - 1)));
    family('tsuwsgi_mule_rss_bytes', 'gauge', 'Resident memory of the mule process.', per((m) => m.rss));
  }
  if (v.crons.length > 0) {
    const per = (f: (c: StatsCron) => number): Sample[] => v.crons.map((c) => [`{cron="${c.id}"}`, f(c)]);
    family('tsuwsgi_cron_runs_total', 'counter', 'Runs of the cron job started.', per((c) => c.runs));
    family('tsuwsgi_cron_skips_total', 'counter', 'Runs skipped because the previous one was still going.', per((c) => c.skips));
    family('tsuwsgi_cron_failures_total', 'counter', 'Runs that exited non-zero, on a signal, or could not start.', per((c) => c.failures));
    family('tsuwsgi_cron_running', 'gauge', '1 while a run is in progress.', per((c) => (c.pid > 0 ? 1 : 0)));
  }
}
