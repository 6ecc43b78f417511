/**
 * Mule messages on the way: app thread → worker → master → mule (and mule → master → mule),
 * and the master's answer back to the sender. The message itself travels as its JSON text
 * (`payload`), written once by the sender: the master never parses it, only measures it.
 */
import type { Config, ModuleTarget } from '../config';
import type { ErrorCode } from '../errors';

/** A message for mule `mule`; `seq` comes back in the answer. */
export interface MuleSend {
  readonly seq: number;
  readonly mule: number;
  readonly payload: string;
}

/** The master's answer: no code = held for the mule. */
export interface MuleAck {
  readonly seq: number;
  readonly code?: ErrorCode;
  readonly message?: string;
}

export type MasterToMule =
  | { act: 'init'; muleId: number; config: Config; target: ModuleTarget }
  /** One message to handle (its JSON text). */
  | { act: 'msg'; payload: string }
  /** Finish the message in hand, then exit. */
  | { act: 'stop' }
  | ({ act: 'mule-ack' } & MuleAck)
  | { act: 'reopen-log' };

export type MuleToMaster =
  /** The function was called: messages may come. */
  | { act: 'ready' }
  /** The mule's code took the oldest message it holds (a handler or the iterator got it). */
  | { act: 'taken' }
  /** The message in hand is handled: the master may send one more. */
  | { act: 'done' }
  | { act: 'load-failed'; message: string }
  | ({ act: 'mule-msg' } & MuleSend);
