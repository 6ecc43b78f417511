/**
 * The bind-without-listen primitive Node's own cluster primary uses for shared handles: the
 * master binds, the workers listen on their dups.
 */
import net from 'node:net';
import util from 'node:util';
import { TsuwsgiError } from '../shared/errors';

export interface RawHandle {
  fd: number;
  close(): void;
  getsockname?(out: Record<string, unknown>): number;
}

type CreateServerHandle = (address: string | null, port: number, addressType: number, fd?: number, flags?: number) => RawHandle | number;
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

/** Binds (port -1: a unix socket path); throws E_SOCKET_IN_USE / E_SOCKET_BIND naming `what`. */
export function bindHandle(address: string | null, port: number, family: number, what: string): RawHandle {
  const result = createServerHandle(address, port, family);
  if (typeof result !== 'number') return result;
  const code = util.getSystemErrorName(result);
  if (code === 'EADDRINUSE') {
    throw new TsuwsgiError('E_SOCKET_IN_USE', `${what}: address already in use (another server is listening there)`);
  }
  throw new TsuwsgiError('E_SOCKET_BIND', `${what}: cannot bind: ${code}`);
}
