/**
 * The error catalogue: every error tsuwsgi raises on purpose has a stable code and a one-line
 * message naming the culprit. Errors cross process and thread boundaries as plain data, so
 * code matches on `code`, never on `instanceof`.
 */
import { ProtocolErrorCodes, ProtocolErrorStatus } from '../protocol/errors';

export const ErrorCodes = {
  // configuration
  E_CONFIG_FILE: 'cannot read the configuration file',
  E_CONFIG_SECTION: 'the configuration file has no such section',
  E_CONFIG_SYNTAX: 'the configuration file cannot be parsed',
  E_CONFIG_UNKNOWN_OPTION: 'unknown option',
  E_CONFIG_UNSUPPORTED_OPTION: 'a uWSGI option tsuwsgi does not implement (rejected under strict)',
  E_CONFIG_BAD_VALUE: 'an option has a value of the wrong kind or out of range',
  E_CONFIG_PLACEHOLDER: 'a placeholder cannot be resolved',
  E_CONFIG_NO_APP: 'no app configured (wsgi-file, file or module)',
  E_CONFIG_NO_SOCKET: 'no socket configured (socket or http-socket)',
  E_CONFIG_UNKNOWN_USER: 'uid or chown-socket names a user that is not in /etc/passwd',
  E_CONFIG_UNKNOWN_GROUP: 'gid or chown-socket names a group that is not in /etc/group',
  E_CLI_USAGE: 'bad command line',
  // sockets and files owned by the master
  E_SOCKET_IN_USE: 'another server is listening on the address',
  E_SOCKET_BIND: 'cannot bind the address',
  E_SOCKET_CHMOD: 'cannot change the mode of the unix socket',
  E_SOCKET_CHOWN: 'cannot change the owner of the unix socket (chown-socket)',
  E_PIDFILE: 'cannot write the pidfile',
  E_LOGTO: 'cannot open the log file',
  E_FIFO: 'cannot create the master FIFO',
  E_FIFO_IN_USE: 'another master is reading the master FIFO',
  E_UNSAFE_DIR: "a root master would write in a directory the workers' user can change (allow-writable-dirs)",
  // the Emperor
  E_EMPEROR_DIR: 'an emperor directory (or the directory a glob starts from) does not exist',
  E_EMPEROR_NOT_ROOT: 'emperor-tyrant needs an Emperor running as root',
  E_EMPEROR_UNSAFE_DIR: 'a root Emperor would start vassals from a directory a user other than root can change',
  E_EMPEROR_UNSAFE_TEMPLATE: 'a root Emperor refuses a vassals-include / vassals-inherit file a user other than root can change',
  E_VASSAL_REFUSED: 'a root Emperor refuses a vassal file (symlink, several links, group/world-writable, unsafe directory, or not root\'s without emperor-tyrant); logged, the Emperor goes on',
  // tsuwsgi top
  E_TOP_READ: 'tsuwsgi top cannot read a stats document from the address given',
  // privileges
  E_PRIVILEGES: 'the workers cannot run as uid/gid: the master is not root, or that user cannot reach a file the workers need',
  // the app
  E_APP_LOAD: 'the app module cannot be loaded',
  E_APP_CALLABLE: 'the app module has no usable callable',
  E_APP_TS_LOADER: 'a TypeScript app on a Node that cannot strip types (before 22.18), and no tsx where the app can find it',
  // mules (mules.send from an app; a mule module)
  E_MULE_LOAD: 'a mule module cannot be loaded or exports no function to run',
  E_MULE_UNAVAILABLE: 'mules.send was called outside a tsuwsgi worker or mule',
  E_MULE_UNKNOWN: 'mules.send names a mule that is not configured',
  E_MULE_MESSAGE: 'a mule message is not JSON, or is larger than mule-msg-size',
  E_MULE_QUEUE_FULL: "the mule's queue in the master is full (mule-queue)",
  // the uwsgi protocol (request errors carry the HTTP status answered, when one is): src/protocol/errors.ts
  ...ProtocolErrorCodes,
  // post-buffering (src/server/post-buffer.ts): answered 500, the app never sees the request
  E_POST_BUFFER: "post-buffering cannot keep a request body: its temp file cannot be created or written in post-buffering-dir",
  // HTTP on http-socket (the limits answer with the uwsgi socket's codes: E_PROTO_TOO_BIG, E_PROTO_BODY_TOO_BIG)
  E_HTTP_BAD_REQUEST: 'malformed HTTP request on an http-socket',
  E_UPGRADE_OVER_UWSGI: 'an upgrade (WebSocket) reached the uwsgi socket, which cannot carry one: route it to an http-socket',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** HTTP status answered for request-level protocol errors, where an answer is possible. */
export const ErrorStatus: Partial<Record<ErrorCode, number>> = {
  ...ProtocolErrorStatus,
  E_HTTP_BAD_REQUEST: 400,
  E_POST_BUFFER: 500,
  E_UPGRADE_OVER_UWSGI: 501,
};

export class TsuwsgiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'TsuwsgiError';
  }
}

export function tsuwsgiError(code: ErrorCode, message: string): TsuwsgiError {
  return new TsuwsgiError(code, message);
}

export function isTsuwsgiError(err: unknown): err is { code: ErrorCode; message: string } {
  return (
    typeof err === 'object' && err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    (err as { code: string }).code in ErrorCodes
  );
}
