/**
 * A worker's part in mule messages: the app's `mules.send` goes up to the master with the
 * app thread it came from, and the master's answer goes back to that thread. When app thread 0
 * runs on this thread (threads-min = 1) its sender is installed here; every app thread in a
 * worker_thread has its own (thread/app-thread.ts) and this relays for it.
 */
import type { Config } from '../shared/config';
import type { MasterToWorker, WorkerToMaster } from '../shared/ipc';
import { MuleSender } from '../shared/mules/hook';
import type { MuleAck, MuleSend } from '../shared/mules/ipc';

type Ack = Extract<MasterToWorker, { act: 'mule-ack' }>;

export class MuleLink {
  private local: MuleSender | undefined;
  /** Where an answer for an app thread goes (threads > 1); set once the threads exist. */
  toThread: (thread: number, ack: MuleAck) => void = () => undefined;

  constructor(private readonly send: (m: WorkerToMaster) => boolean) {}

  /** App thread 0 runs here: its mules.send starts here. */
  installLocal(config: Config): void {
    this.local = new MuleSender(config.mules.length, config.muleMsgSize, (seq, mule, payload) => this.fromThread(0, { seq, mule, payload })).install();
  }

  fromThread(thread: number, m: MuleSend): boolean {
    return this.send({ act: 'mule-msg', thread, seq: m.seq, mule: m.mule, payload: m.payload });
  }

  answer(m: Ack): void {
    const ack: MuleAck = { seq: m.seq, code: m.code, message: m.message };
    if (this.local !== undefined && m.thread === 0) this.local.answer(ack);
    else this.toThread(m.thread, ack);
  }
}
