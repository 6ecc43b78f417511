/**
 * The conformance suite (common.case.ts) on the uwsgi socket: each case's request is sent as
 * nginx sends it, by a raw uwsgi client on the socket itself (nginx would buffer a body the
 * client does not finish, and the app would never see it), whole requests go through a real
 * nginx (uwsgi_pass).
 */
import net from 'node:net';
import path from 'node:path';
import { encodePacket } from '../../../src/protocol';
import { request } from '../../support/http';
import { startNginx } from '../../support/nginx';
import { splitResponses } from '../../support/raw-http';
import { waitUntil } from '../../support/wait';
import { runSocketKindSuite, type SentRequest } from './common.case';

/** A connection that fails is an error, never an empty reply. */
function open(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function send(socketPath: string, method: string, uri: string, body: { declared: number; sent: number } | undefined): Promise<SentRequest> {
  const socket = await open(socketPath);
  const got: Buffer[] = [];
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('data', (d: Buffer) => got.push(d));
  const [pathInfo, query = ''] = uri.split('?');
  const vars: Record<string, string> = {
    REQUEST_METHOD: method, REQUEST_URI: uri, PATH_INFO: pathInfo!, QUERY_STRING: query,
    SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'kinds.test', REMOTE_ADDR: '127.0.0.1', REMOTE_PORT: '40000',
  };
  if (body !== undefined) vars.CONTENT_LENGTH = String(body.declared);
  socket.write(Buffer.concat([encodePacket(vars), Buffer.alloc(body?.sent ?? 0, 'b')]));
  return {
    readResponse: async () => {
      // One request per connection: the server closes once the response is out.
      await closed;
      const [reply] = splitResponses(Buffer.concat(got), true).responses;
      if (reply === undefined) throw new Error(`no response to ${method} ${uri}`);
      return { status: reply.status, body: reply.body.toString() };
    },
    firstBytes: async () => {
      await waitUntil('the first bytes of the response', () => got.length > 0);
    },
    leave: () => socket.destroy(),
  };
}

runSocketKindSuite({
  name: 'uwsgi socket',
  socket: (dir) => Promise.resolve({ socket: path.join(dir, 'app.sock'), 'chmod-socket': 666 }),
  connect: async (socket) => {
    const socketPath = String(socket.socket);
    const nginx = await startNginx({ upstream: `unix:${socketPath}` });
    return {
      send: (method, uri, body) => send(socketPath, method, uri, body),
      request: async (uri) => {
        const r = await request(`${nginx.url}${uri}`);
        return { status: r.status, body: r.body.toString() };
      },
      stop: () => nginx.stop(),
    };
  },
});
