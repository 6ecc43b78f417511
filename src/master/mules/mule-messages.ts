/**
 * A mule's messages, and the mules.send part of a worker's, are untrusted input (the app's
 * code runs in both processes and can call process.send with anything): each is checked
 * against its act's shape before it becomes a master event, as worker-messages.ts does.
 */
import type { MuleToMaster } from '../../shared/mules/ipc';

export type CheckedMule = { readonly ok: true; readonly message: MuleToMaster } | { readonly ok: false; readonly why: string };

/** mule-msg-size's highest value: no payload above it can be valid, whatever the config. */
const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;
/** More mules than anyone configures; keeps the master from logging an absurd number. */
const MAX_MULE_ID = 1_000_000;
const MAX_LOAD_ERROR = 64 * 1024;

/** The `seq`, `mule` and `payload` of a mules.send, from a worker or a mule; undefined: fine. */
export function checkMuleSend(m: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 0) return 'seq must be a whole number';
  if (!Number.isSafeInteger(m.mule) || (m.mule as number) < 1 || (m.mule as number) > MAX_MULE_ID) return 'mule must be a mule number';
  if (typeof m.payload !== 'string' || m.payload.length > MAX_PAYLOAD_CHARS) return 'payload must be a JSON text';
  return undefined;
}

export function checkMuleMessage(m: unknown): CheckedMule {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { ok: false, why: 'not an object' };
  const o = m as Record<string, unknown>;
  const why = whyRefused(o);
  return why === undefined ? { ok: true, message: o as unknown as MuleToMaster } : { ok: false, why: `${typeof o.act === 'string' ? o.act.slice(0, 40) : 'no act'}: ${why}` };
}

function whyRefused(o: Record<string, unknown>): string | undefined {
  switch (o.act) {
    case 'ready':
    case 'taken':
    case 'done':
      return undefined;
    case 'load-failed':
      return typeof o.message === 'string' && o.message.length <= MAX_LOAD_ERROR ? undefined : 'message must be a string';
    case 'mule-msg':
      return checkMuleSend(o);
    default:
      return 'unknown act';
  }
}
