/** Complete small HTTP responses for answers given before (or instead of) the app. */

/** The answers tsuwsgi itself gives a request, on every socket kind. */
const REASONS = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  /** An upgrade on the uwsgi socket, which cannot carry one (uwsgi-early-answers.ts). */
  501: 'Not Implemented',
  /** An upgrade during a graceful stop (http-upgrade.ts). */
  503: 'Service Unavailable',
} as const;

export type EarlyStatus = keyof typeof REASONS;

export function rawResponse(status: number, reason: string, body = `${status} ${reason}\n`): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}

export function reasonOf(status: EarlyStatus): string {
  return REASONS[status];
}

const answers = new Map<EarlyStatus, Buffer>();

/** The bytes of an early answer, built once per status: the same on the uwsgi and the http socket. */
export function earlyAnswer(status: EarlyStatus): Buffer {
  let bytes = answers.get(status);
  if (bytes === undefined) {
    bytes = rawResponse(status, REASONS[status]);
    answers.set(status, bytes);
  }
  return bytes;
}
