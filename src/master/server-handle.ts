/**
 * The bind-without-listen primitive Node's own cluster primary uses for shared handles: the
 * master binds, the workers listen on their dups.
 */
import util from 'node:util';
import { TsuwsgiError } from '../shared/errors';
import { createServerHandle, type RawServerHandle } from '../shared/node-internals';


/** Binds (port -1: a unix socket path); throws E_SOCKET_IN_USE / E_SOCKET_BIND naming `what`. */
export function bindHandle(address: string | null, port: number, family: number, what: string): RawServerHandle {
  const result = createServerHandle(address, port, family);
  if (typeof result !== 'number') return result;
  const code = util.getSystemErrorName(result);
  if (code === 'EADDRINUSE') {
    throw new TsuwsgiError('E_SOCKET_IN_USE', `${what}: address already in use (another server is listening there)`);
  }
  throw new TsuwsgiError('E_SOCKET_BIND', `${what}: cannot bind: ${code}`);
}
