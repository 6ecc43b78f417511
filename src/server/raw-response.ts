/** A complete small HTTP response for answers given before the app is involved. */
export function rawResponse(status: number, reason: string, body = `${status} ${reason}\n`): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}
