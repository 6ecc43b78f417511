/**
 * Two ways a worker can crash the master through Node's own IPC code, below any 'message'
 * listener, both reachable from an app running in a worker's main thread:
 *
 * - A forged control message: `process.send({ cmd: 'NODE_HANDLE_ACK' })` (or `_NACK`) when the
 *   master is passing no handle fails an internal assertion in the master's ChildProcess
 *   ("This is caused by either a bug in Node.js or incorrect usage of Node.js internals").
 * - Bytes that are not a message: `fs.writeSync(3, 'x\n')` on the channel's fd makes the
 *   master's channel reader throw a SyntaxError from JSON.parse.
 *
 * Both are thrown from Node internals, so the only places to stop them are Node's own hooks:
 * a listener that runs before Node's and gives the assertion the (empty) queue it expects, and
 * a wrapper around the channel's read callback. They rely on Node 20's ChildProcess internals
 * (`_handleQueue`, the `kChannelHandle` symbol; shared/node-internals.ts): test/e2e/worker-ipc.test.ts fails if a Node
 * upgrade moves them.
 */
import type { ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { defuseForgedHandleAck, ipcChannelReader } from '../shared/node-internals';

export interface ChannelFaults {
  /** A Node control message no handle transfer was waiting for; it was made harmless. */
  forged(cmd: string): void;
  /** Bytes that are not a JSON message; the messages read with them are lost. */
  garbage(err: Error): void;
}

export function guardWorkerChannel(child: ChildProcess, faults: ChannelFaults): void {
  (child as EventEmitter).prependListener('internalMessage', (m: { cmd?: unknown }) => {
    if ((m.cmd === 'NODE_HANDLE_ACK' || m.cmd === 'NODE_HANDLE_NACK') && defuseForgedHandleAck(child)) faults.forged(m.cmd);
  });
  const handle = ipcChannelReader(child);
  if (handle === undefined) return;
  const onread = handle.onread;
  handle.onread = function guardedOnread(this: unknown, ...args: unknown[]): unknown {
    try {
      return onread.apply(this, args);
    } catch (err) {
      faults.garbage(err as Error);
      return undefined;
    }
  };
}
