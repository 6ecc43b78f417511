import type { ErrorCode } from '../shared/errors';
import { ExitCode } from '../shared/exit-codes';

/** The exit code the master leaves with when an error of this code stops it at start. */
export function exitCodeFor(code: ErrorCode): number {
  if (code.startsWith('E_SOCKET') || code === 'E_TOP_READ' || code === 'E_FIFO_IN_USE') return ExitCode.SocketError;
  if (code.startsWith('E_APP')) return ExitCode.AppLoadError;
  if (code === 'E_PRIVILEGES' || code === 'E_UNSAFE_DIR' || code.startsWith('E_EMPEROR_UNSAFE') || code === 'E_EMPEROR_NOT_ROOT') return ExitCode.BootError;
  return ExitCode.Config;
}
