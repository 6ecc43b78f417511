/**
 * Turns what a running worker process does (its messages, errors and exit) into master events.
 * Nothing a worker sends reaches the master's handlers unchecked (worker-messages.ts), and
 * nothing it can do to its channel ends the master (worker-channel-guard.ts). A ChildProcess
 * 'error' (a send or a kill that failed because the worker is dying) is only an event too.
 */
import type { ChildProcess } from 'node:child_process';
import type { CoreFigures } from '../shared/stats-figures';
import type { MasterEvent } from './events';
import { checkWorkerMessage } from './worker-messages';
import { guardWorkerChannel } from './worker-channel-guard';

export interface WatchedWorker {
  readonly key: number;
  readonly pid: number;
  /** Its app thread count, which bounds what its messages may hold. */
  readonly threads: number;
}

export type StatsReply = (key: number, pid: number, round: number, cores: CoreFigures[]) => void;

export function watchWorker(child: ChildProcess, w: WatchedWorker, post: (e: MasterEvent) => void, onStats: StatsReply): void {
  const { key, pid } = w;
  child.on('message', (raw: unknown) => {
    const checked = checkWorkerMessage(raw, w.threads);
    if (!checked.ok) {
      post({ kind: 'worker-bad-message', key, pid, why: checked.why, recycle: false });
      return;
    }
    const m = checked.message;
    switch (m.act) {
      case 'ready':
        return post({ kind: 'worker-ready', key, pid });
      case 'app-load-failed':
        return post({ kind: 'worker-app-failed', key, pid, code: m.code, message: m.message });
      case 'need-sockets':
        return post({ kind: 'worker-needs-sockets', key, pid, thread: m.thread });
      case 'report':
        return post({ kind: 'worker-report', key, pid, rssBytes: m.rssBytes, threads: m.threads });
      case 'recycle':
        return post({ kind: 'worker-recycle', key, pid, reason: m.reason, detail: m.detail });
      case 'load':
        return post({ kind: 'worker-load', key, pid, round: m.round, busyMicros: m.busyMicros, busy: m.busy });
      // Read-only figures for a stats document being built: no master decision depends on them.
      case 'stats':
        return onStats(key, pid, m.round, m.cores);
      case 'mule-msg':
        return post({ kind: 'mule-msg', from: { worker: key, thread: m.thread }, pid, seq: m.seq, mule: m.mule, payload: m.payload });
    }
  });
  child.on('error', (err) => post({ kind: 'worker-channel-error', key, pid, message: err.message }));
  guardWorkerChannel(child, {
    forged: (cmd) => post({ kind: 'worker-bad-message', key, pid, why: `a forged Node control message (${cmd})`, recycle: false }),
    // What was read with the bytes is lost, and the channel may be out of step: replace the worker.
    garbage: (err) => post({ kind: 'worker-bad-message', key, pid, why: `bytes that are not a message (${err.message})`, recycle: true }),
  });
  child.once('exit', (code, signal) => post({ kind: 'worker-exit', key, pid, code, signal }));
}
