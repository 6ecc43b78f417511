/** The one shape every protocol failure takes: a code from the catalogue, a message, a status. */
import { ErrorStatus, type ErrorCode } from '../shared/errors.js';

export interface ProtocolError {
  kind: 'error';
  code: ErrorCode;
  message: string;
  /** The HTTP status to answer with, when an answer makes sense (from ErrorStatus). */
  status?: number;
}

export function failure(code: ErrorCode, message: string): ProtocolError {
  const status = ErrorStatus[code];
  return status === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, status };
}
