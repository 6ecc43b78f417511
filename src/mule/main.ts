/**
 * Entry point of a mule process, forked by the master (master/mules/mule-processes.ts). Its
 * configuration comes as the first IPC message. It never outlives the master: a closed IPC
 * channel means exit now.
 */
import type { MasterToMule, MuleToMaster } from '../shared/mules/ipc';
import { ExitCode } from '../shared/exit-codes';
import { MuleProcess } from './mule-process';

let unsent = 0;
let whenSent: (() => void) | undefined;

const mule = new MuleProcess(
  (m: MuleToMaster) => {
    if (!process.connected) return false;
    unsent++;
    process.send?.(m, undefined, {}, () => {
      if (--unsent === 0) whenSent?.();
    });
    return true;
  },
  // process.send only queues: a "done" sent just before exit must reach the master, or it
  // would hand the message to the next mule again.
  () => (unsent === 0 || !process.connected ? Promise.resolve() : new Promise<void>((resolve) => (whenSent = resolve))),
);

process.on('message', (m: MasterToMule) => {
  switch (m.act) {
    case 'init':
      return void mule.init(m);
    case 'msg':
      return mule.message(m.payload);
    case 'stop':
      return void mule.stop();
    case 'mule-ack':
      return mule.answer(m);
    case 'reopen-log':
      return mule.reopenLogs();
  }
});
process.on('disconnect', () => mule.exitNow(ExitCode.Ok));
// A whole process group gets these from a terminal or from systemd's control-group kill.
process.on('SIGTERM', () => void mule.stop());
process.on('SIGINT', () => mule.exitNow(ExitCode.Interrupted));
for (const sig of ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) process.on(sig, () => undefined);
