/** The one shape every protocol failure takes: a code from the catalogue, a message, a status. */
import { ProtocolErrorStatus, type ProtocolErrorCode, type ProtocolStatus } from './errors.js';

export interface ProtocolError {
  kind: 'error';
  code: ProtocolErrorCode;
  message: string;
  /** The HTTP status to answer with, when an answer makes sense (from ProtocolErrorStatus). */
  status?: ProtocolStatus;
}

const STATUS: Partial<Record<ProtocolErrorCode, ProtocolStatus>> = ProtocolErrorStatus;

export function failure(code: ProtocolErrorCode, message: string): ProtocolError {
  const status = STATUS[code];
  return status === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, status };
}
