/** docs/errors.md and docs/exit-codes.md, rendered from the catalogues so they cannot drift. */
import { ErrorCodes, ErrorStatus, type ErrorCode } from '../shared/errors';
import { ExitCode } from '../shared/exit-codes';

const EXIT_MEANING: Record<keyof typeof ExitCode, string> = {
  Ok: 'clean shutdown (SIGTERM drained every request); the Emperor: every vassal stopped after SIGTERM',
  Internal: 'an internal error of the master (a bug): the workers are killed, socket, pidfile and FIFO removed as at a stop (vacuum), one `master-crashed` line logged with the stack',
  Config: 'bad configuration or command line: one line on stderr names the file, key and value',
  BootError: 'a worker could not start, or the workers cannot run as `uid`/`gid` (the master is not root, or that user cannot reach the worker code or the log file); the Emperor: `emperor-tyrant` without root, or a vassal directory or template another user than root can change',
  AppLoadError: 'the app failed to load at start and `need-app` is on: the master stops instead of respawning forever',
  SocketError: 'a socket could not be bound, or another server already listens there',
  Interrupted: 'immediate shutdown (SIGINT, SIGQUIT or a second SIGTERM), of a master or of the Emperor and its vassals',
};

export function renderErrorsDoc(): string {
  const rows = (Object.keys(ErrorCodes) as ErrorCode[]).map((code) => {
    const status = ErrorStatus[code];
    return `| \`${code}\` | ${ErrorCodes[code]} | ${status ?? ''} |`;
  });
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/shared/errors.ts by `npm run docs`; do not edit. -->',
    '',
    'Every error tsuwsgi reports on purpose carries one of these codes and a one-line message',
    'naming the culprit. Request errors answered before the app runs show the HTTP status sent.',
    '',
    '| code | meaning | HTTP status |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function renderExitCodesDoc(): string {
  const rows = (Object.keys(ExitCode) as (keyof typeof ExitCode)[]).map(
    (name) => `| ${ExitCode[name]} | \`${name}\` | ${EXIT_MEANING[name]} |`,
  );
  return [
    '# Exit codes',
    '',
    '<!-- Generated from src/shared/exit-codes.ts by `npm run docs`; do not edit. -->',
    '',
    'The exit status of the master (the process `tsuwsgi` starts), or of the Emperor (`tsuwsgi --emperor DIR`).',
    '',
    '| code | name | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
