/**
 * One request on its own raw HTTP/1.1 connection, held by the test: how the conformance suite
 * talks to an http-socket, and to Node's own server when it reads the reference sequences.
 */
import { RawConnection } from '../../support/raw-http';
import type { SentRequest } from './common.case';

export async function sendRawHttp(port: number, method: string, uri: string, body: { declared: number; sent: number } | undefined): Promise<SentRequest> {
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
