/** Raw HTTP/1.1 over TCP: sends bytes a client library would refuse to (odd Host, odd targets). */
import { exchange } from './uwsgi-client';

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Sends `lines` (CRLF-joined, latin1, with a blank line added) and reads until the server closes. */
export async function rawHttp(port: number, lines: readonly string[], timeoutMs = 10_000): Promise<RawReply> {
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const got = (await exchange({ port }, [bytes], { timeoutMs })).toString('latin1');
  const split = got.indexOf('\r\n\r\n');
  const head = split < 0 ? got : got.slice(0, split);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: split < 0 ? '' : got.slice(split + 4) };
}
