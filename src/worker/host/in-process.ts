/**
 * threads = 1: the app runs on the worker's main thread, the fast path with no hop between
 * threads. Its one app thread is the process: ending it is ending the process (the master
 * replaces it), and its uncaught exceptions are the app's.
 */
import type { Listening } from '../../server/listeners';
import { RowWriter } from '../scoreboard/row-writer';
import { serveThread } from '../serve-thread';
import type { AppRunner, HostOptions } from './app-host';

export function startInProcess(o: HostOptions): AppRunner {
  const row = new RowWriter(o.board.view, 0);
  let serving: Listening | undefined;
  const data = { workerId: o.workerId, threadIndex: 0, config: o.config, fds: o.fds[0], board: o.board.view.buffer, turn: o.turn };
  const ready = serveThread(data, o.logs, row, o.askRecycle).then((s) => {
    serving = s;
  });
  return {
    ready,
    drain: () => serving?.drain() ?? Promise.resolve(),
    terminate: () => process.kill(process.pid, 'SIGKILL'),
    reopenLogs: () => undefined,
    countMainThreadException: () => row.exception(),
    loops: () => [{ id: process, activeMs: performance.eventLoopUtilization().active }],
  };
}
