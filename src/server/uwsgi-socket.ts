/**
 * The uwsgi socket kind (`socket =`): one request per connection, as nginx's uwsgi_pass opens
 * a connection per request. The connection itself is uwsgi-connection.ts.
 *
 * Each connection starts on a light socket (light-socket.ts), not a net.Socket. The listener
 * is created paused: each connection's packet is first read synchronously in the accept
 * callback (read-now.ts), and while a head is still awaited this thread's accepting
 * pauses (accept-gate.ts), so the app cannot block with a connection waiting behind it.
 */
import net from 'node:net';
import type { SocketKind } from './socket-kind';
import { handleUwsgiConnection } from './uwsgi-connection';
import { lightSocket, lightSocketsCanRead } from './light-socket';
import { takeAcceptedHandles } from '../shared/node-internals';

export const uwsgiSocket: SocketKind = {
  proto: 'uwsgi',

  createServer(ctx, gate) {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => handleUwsgiConnection(socket, ctx, gate));
    server.once('listening', () => {
      // Only a listening handle can be paused.
      gate.add(server);
      // Connections start as light sockets (light-socket.ts); net.Server makes none. A Node
      // whose reads a light socket cannot follow keeps net.Server's sockets.
      if (lightSocketsCanRead) takeAcceptedHandles(server, (handle) => handleUwsgiConnection(lightSocket(handle), ctx, gate));
    });
    return server;
  },

  drainPass() {
    // Nothing beyond the shared rule: a connection that has sent nothing is closed at once
    // (UwsgiConnection.holdsRequest), every other one carries its single request to the end,
    // and each of its waits on the peer is bounded.
  },
};
