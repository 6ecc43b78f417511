/**
 * `tsuwsgi` command: parse the command line and the ini into a Config, then become the master
 * (or, with `emperor`, the Emperor of many masters). Every expected failure is one line on
 * stderr and a named exit code, never a stack trace.
 */
import { parseCommandLine } from '../config';
import { createLogger } from '../shared/logger';
import { isTsuwsgiError, TsuwsgiError } from '../shared/errors';
import { exitCodeFor } from './exit-code-for';
import { ExitCode } from '../shared/exit-codes';
import { runMaster } from '../master/master';
import { configureSdNotify } from '../master/sd-notify';
import { checkWritableDirs } from '../master/unsafe-dirs';
import { workerCredentials } from '../master/credentials';
import type { EmperorConfig } from '../shared/config';
import { serveEmperor, takeEmperorLink } from '../emperor/vassal-link';

// `tsuwsgi top` and the Emperor are loaded only when asked for: every master would otherwise
// keep their ~20 modules compiled in its heap (docs/design-notes.md, "Memory").
/* eslint-disable @typescript-eslint/no-require-imports */
const loadTop = (): typeof import('./top/run-top') => require('./top/run-top') as typeof import('./top/run-top');
const loadEmperor = (): typeof import('../emperor/run-emperor') => require('../emperor/run-emperor') as typeof import('../emperor/run-emperor');
/* eslint-enable @typescript-eslint/no-require-imports */

export function main(argv: string[]): void {
  if (argv[0] === 'top') return top(argv.slice(1));
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv, process.env, process.cwd());
  } catch (err) {
    fail(err);
  }
  if (parsed.kind === 'help' || parsed.kind === 'version') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`);
    return;
  }
  // Started by an Emperor: its link is read (and taken out of the environment) before anything
  // else can copy the environment.
  const emperorLink = takeEmperorLink(process.env);
  if (parsed.kind === 'emperor') {
    if (emperorLink !== undefined) fail(new TsuwsgiError('E_CONFIG_BAD_VALUE', 'emperor is set in a vassal\'s configuration: a vassal cannot be an Emperor'));
    return emperor(parsed.config, parsed.warnings);
  }
  const { config } = parsed;
  let logs;
  try {
    // Before the first open as root: the log file is the first thing the master creates.
    checkWritableDirs(config);
    logs = createLogger({ role: 'master', logto: config.logto, logOwner: workerCredentials(config) });
  } catch (err) {
    fail(err);
  }
  for (const warning of parsed.warnings ?? []) logs.logger.warn({ event: 'config-warning' }, warning);
  // A reload reads the same command line and ini again, as at start, with the environment of
  // the start: the master takes LISTEN_FDS and NOTIFY_SOCKET out of process.env for its workers.
  const startEnv = { ...process.env };
  if (emperorLink !== undefined) serveEmperor(emperorLink, logs.logger);
  else configureSdNotify(process.env, logs.logger);
  const startUid = process.getuid?.();
  const reread = (): typeof config => {
    let again: ReturnType<typeof parseCommandLine>;
    try {
      again = parseCommandLine(argv, startEnv, process.cwd());
    } catch (err) {
      throw droppedRootHint(err, startUid);
    }
    if (again.kind !== 'config') throw new Error('the command line no longer describes a server');
    return again.config;
  };
  runMaster(config, logs, reread).catch((err: unknown) => {
    logs.flush();
    fail(err);
  });
}

/** `emperor = DIR_OR_GLOB`: the Emperor, which starts one master per vassal file. */
function emperor(config: EmperorConfig, warnings: readonly string[]): void {
  let logs;
  try {
    logs = createLogger({ role: 'emperor', logto: config.logto });
  } catch (err) {
    fail(err);
  }
  for (const warning of warnings) logs.logger.warn({ event: 'config-warning' }, warning);
  // The Emperor under systemd (Type=notify) tells systemd; its vassals tell the Emperor.
  configureSdNotify(process.env, logs.logger);
  loadEmperor().runEmperor(config, logs).catch((err: unknown) => {
    logs.flush();
    fail(err);
  });
}

/** A master that dropped root re-reads its ini as the workers' user: say so when that fails. */
function droppedRootHint(err: unknown, startUid: number | undefined): unknown {
  const uid = process.getuid?.();
  if (!isTsuwsgiError(err) || err.code !== 'E_CONFIG_FILE' || uid === startUid) return err;
  return new TsuwsgiError(err.code, `${err.message} (the master runs as uid ${uid} since it dropped root: the ini must be readable by that user, or set master-as-root = true)`);
}

/** `tsuwsgi top ADDRESS`: a live view of a running server's stats. */
function top(argv: string[]): void {
  const { parseTopArgs, runTop, TOP_USAGE } = loadTop();
  let args: ReturnType<typeof parseTopArgs>;
  try {
    args = parseTopArgs(argv);
  } catch (err) {
    fail(err);
  }
  if (args === 'help') {
    process.stdout.write(`${TOP_USAGE}\n`);
    return;
  }
  runTop(args).then(() => process.exit(ExitCode.Ok), fail);
}

function fail(err: unknown): never {
  if (isTsuwsgiError(err)) {
    process.stderr.write(`tsuwsgi: ${err.message}\n`);
    process.exit(exitCodeFor(err.code));
  }
  process.stderr.write(`tsuwsgi: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(ExitCode.Internal);
}
