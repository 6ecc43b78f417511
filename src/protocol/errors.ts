/**
 * The uwsgi protocol's error codes, and the HTTP status answered for those a request can be
 * answered with. Here, not in the shared catalogue, so that the `./protocol` export stands
 * alone; src/shared/errors.ts spreads them into the one catalogue (and docs/errors.md).
 */
export const ProtocolErrorCodes = {
  E_PROTO_HEADER: 'truncated or malformed uwsgi packet header',
  E_PROTO_VARS: 'malformed uwsgi vars block',
  E_PROTO_TOO_BIG: 'uwsgi vars block larger than buffer-size',
  E_PROTO_BODY_TOO_BIG: 'request body larger than limit-post',
  E_PROTO_MODIFIER: 'unsupported uwsgi modifier1',
  E_PROTO_HTTP_ON_UWSGI: 'HTTP spoken to a uwsgi socket',
  E_PROTO_BAD_LENGTH: 'bad CONTENT_LENGTH',
  E_PROTO_TRUNCATED: 'connection closed before the request was complete',
  E_PROTO_NO_METHOD: 'uwsgi packet without REQUEST_METHOD',
  E_PROTO_BAD_VAR: 'a uwsgi var that cannot be part of an HTTP request (bad header name, control character)',
} as const;

export type ProtocolErrorCode = keyof typeof ProtocolErrorCodes;

/** Where an answer is possible: 431 for a head over buffer-size, 413 for a body over limit-post, else 400. */
export const ProtocolErrorStatus = {
  E_PROTO_TOO_BIG: 431,
  E_PROTO_BODY_TOO_BIG: 413,
  E_PROTO_BAD_LENGTH: 400,
  E_PROTO_NO_METHOD: 400,
  E_PROTO_BAD_VAR: 400,
} as const satisfies Partial<Record<ProtocolErrorCode, number>>;

/** The statuses the protocol's errors are answered with. */
export type ProtocolStatus = (typeof ProtocolErrorStatus)[keyof typeof ProtocolErrorStatus];
