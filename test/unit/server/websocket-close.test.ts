/** The close frame a graceful stop writes, as a real `ws` client hears it. */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { goingAway } from '../../../src/server/websocket-close';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A server that completes the handshake and then writes only `frame`. */
function serverWriting(frame: Buffer): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.once('data', (head: Buffer) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString())?.[1] ?? '';
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.write(frame);
      socket.on('data', () => socket.end());
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('server/websocket-close', () => {
  it('is a close frame a client hears as 1001 "server going away", and answers', async () => {
    const server = await serverWriting(goingAway());
    const { port } = server.address() as net.AddressInfo;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const [code, reason] = await new Promise<[number, string]>((resolve, reject) => {
      ws.on('close', (c, r) => resolve([c, r.toString()]));
      ws.on('error', reject);
    });
    server.close();
    expect([code, reason]).to.deep.equal([1001, 'server going away']);
    expect(goingAway()).to.equal(goingAway());
  });
});
