/**
 * The vassal's side of the Emperor, set up by the CLI before the master starts, when the
 * Emperor started this process (TSUWSGI_EMPEROR=NAME:TOKEN in its environment):
 *
 * - its master's sd_notify messages go to the Emperor (notify-bridge.ts), through
 *   bin/tsuwsgi-vassal-notify, which runs this same node binary (its path rides along in the
 *   value, so no PATH lookup is needed);
 * - it stops gracefully when the Emperor is gone: its stdin is a pipe from the Emperor, which
 *   reads EOF when the Emperor exits however it exits (uWSGI's vassals do the same on their
 *   Emperor pipe). Workers get no stdin, so only this master holds the pipe.
 *
 * The variable is taken out of the environment first: neither the workers nor the app see the
 * token.
 */
import path from 'node:path';
import type { Logger } from '../shared/logger';
import { configureSdNotify } from '../master/sd-notify';

export const EMPEROR_ENV = 'TSUWSGI_EMPEROR';

/** The command the master runs instead of systemd-notify (bin/ is two levels up from here). */
export const NOTIFY_COMMAND = path.join(__dirname, '..', '..', 'bin', 'tsuwsgi-vassal-notify');

/** NAME:TOKEN, or undefined when this process is no vassal; removes it from `env` either way. */
export function takeEmperorLink(env: Record<string, string | undefined>): string | undefined {
  const link = env[EMPEROR_ENV];
  delete env[EMPEROR_ENV];
  return link !== undefined && /^[\w-]+:[0-9a-f]{32}$/.test(link) ? link : undefined;
}

export function serveEmperor(link: string, log: Logger): void {
  configureSdNotify({ NOTIFY_SOCKET: `${link}:${process.execPath}` }, log, NOTIFY_COMMAND);
  const stdin = process.stdin;
  let gone = false;
  const emperorGone = (): void => {
    if (gone) return;
    gone = true;
    log.warn({ event: 'emperor-gone' }, 'the Emperor is gone (its pipe closed): stopping gracefully');
    process.kill(process.pid, 'SIGTERM');
  };
  stdin.on('end', emperorGone);
  stdin.on('error', emperorGone);
  stdin.on('data', () => undefined);
  // The pipe must not keep a stopping master alive.
  (stdin as NodeJS.ReadStream & { unref?: () => void }).unref?.();
}
