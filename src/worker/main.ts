/**
 * Entry point of a worker process, forked by the master. Its listening sockets arrive as
 * inherited fds (laid out by the master, one dup per app thread); its configuration arrives as
 * the first IPC message. It never outlives the master: a closed IPC channel means exit now.
 */
import type { MasterToWorker, WorkerToMaster } from '../shared/ipc';
import { ExitCode } from '../shared/exit-codes';
import { WorkerProcess } from './worker-process';

const worker = new WorkerProcess((m: WorkerToMaster) => {
  if (!process.connected) return false;
  process.send?.(m);
  return true;
});

process.on('message', (m: MasterToWorker, handle?: unknown) => {
  switch (m.act) {
    case 'init':
      return void worker.init(m);
    case 'stop':
      return void worker.stop(m.graceful);
    case 'socket':
      return worker.sockets.receive(m, handle);
    case 'reopen-log':
      return worker.reopenLogs();
    case 'stats':
      return worker.stats(m.round);
    case 'load':
      return worker.load(m.round);
    case 'report':
      return void worker.report();
    case 'mule-ack':
      return worker.mules.answer(m);
  }
});
// The master is gone (even SIGKILLed): nobody will reap or replace us, so leave at once.
process.on('disconnect', () => worker.exit(ExitCode.Ok));
// A whole process group gets these from a terminal or from systemd's control-group kill.
process.on('SIGTERM', () => void worker.stop(true));
process.on('SIGINT', () => worker.exit(ExitCode.Interrupted));
process.on('SIGHUP', () => undefined);
process.on('SIGUSR1', () => undefined);
// Meant for the master (log reopen), which tells the workers over IPC; a group-wide USR2
// must not kill them (Node's default action).
process.on('SIGUSR2', () => undefined);
