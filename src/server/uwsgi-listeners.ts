/**
 * The socket's and the response's listeners of a uwsgi connection, shared by every connection
 * (no closures per connection): each finds its connection on the socket.
 */
import type { Socket } from 'node:net';
import { kConnection, type TrackedSocket } from './connections';
import type { TsuwsgiResponse } from './response';
import type { UwsgiConnection } from './uwsgi-connection';
import { onIdle } from './uwsgi-timeouts';

type ConnSocket = TrackedSocket<UwsgiConnection>;

export function socketData(this: Socket, chunk: Buffer): void {
  (this as ConnSocket)[kConnection].onData(chunk);
}
export function socketError(this: Socket, err: NodeJS.ErrnoException): void {
  (this as ConnSocket)[kConnection].onError(err);
}
export function socketTimeout(this: Socket): void {
  onIdle((this as ConnSocket)[kConnection]);
}
export function socketEnd(this: Socket): void {
  (this as ConnSocket)[kConnection].onEnd();
}
export function socketClose(this: Socket): void {
  (this as ConnSocket)[kConnection].onClose();
}
export function socketDrain(this: Socket): void {
  (this as ConnSocket)[kConnection].onDrain();
}
export function responseFinished(this: TsuwsgiResponse): void {
  (this.socket as ConnSocket | null)?.[kConnection]?.onResponseDone();
}
