/** The conformance suite (common.case.ts) on http-socket: raw HTTP/1.1 connections, no front end. */
import { request } from '../../support/http';
import { RawConnection } from '../../support/raw-http';
import { pickPort } from '../../support/server';
import { runSocketKindSuite, type SentRequest } from './common.case';

async function send(port: number, method: string, uri: string, body: { declared: number; sent: number } | undefined): Promise<SentRequest> {
  const conn = await RawConnection.open(port);
  const length = body === undefined ? '' : `Content-Length: ${body.declared}\r\n`;
  conn.write(`${method} ${uri} HTTP/1.1\r\nHost: kinds.test\r\n${length}\r\n${'b'.repeat(body?.sent ?? 0)}`);
  return {
    readResponse: async () => {
      const [reply] = await conn.waitForResponses(1);
      return { status: reply!.status, body: reply!.body.toString() };
    },
    firstBytes: async () => {
      await conn.waitForText('the first bytes of the response', (t) => t.length > 0);
    },
    leave: () => conn.destroy(),
  };
}

runSocketKindSuite({
  name: 'http-socket',
  socket: async () => ({ 'http-socket': `127.0.0.1:${await pickPort()}` }),
  connect: (socket) => {
    const port = Number(String(socket['http-socket']).split(':')[1]);
    return Promise.resolve({
      send: (method, uri, body) => send(port, method, uri, body),
      request: async (uri) => {
        const r = await request(`http://127.0.0.1:${port}${uri}`);
        return { status: r.status, body: r.body.toString() };
      },
      stop: () => Promise.resolve(),
    });
  },
});
