/**
 * Signals and master FIFO commands, as uWSGI's master FIFO takes them; each signal maps onto a
 * command, and each command is one small change to the wanted state (reconcile.ts acts on it).
 * Once the master is stopping, commands are ignored.
 */
import type { Config } from '../shared/config';
import { ExitCode } from '../shared/exit-codes';
import type { MasterContext } from './master-context';
import { mergeReloaded } from './reload-config';
import { startReload } from './replacement-plan';
import { sdNotify } from './sd-notify';
import { setWantedCount, wantedCount, type ReloadKind } from './wanted';

export const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTTIN', 'SIGTTOU'];

/**
 * Signals that are a FIFO command. SIGUSR2 is not uWSGI's meaning (each worker logs its
 * request; that is SIGUSR1 / fifo s here): logrotate's postrotate needs a signal, as with
 * nginx's USR1 (docs/design-notes.md).
 */
const SIGNAL_COMMANDS: Partial<Record<NodeJS.Signals, string>> = { SIGHUP: 'r', SIGUSR1: 's', SIGUSR2: 'l', SIGTTIN: '+', SIGTTOU: '-' };

export function handleSignal(ctx: MasterContext, name: NodeJS.Signals): void {
  if (name === 'SIGTERM') {
    if (ctx.wanted.phase === 'running') stopGracefully(ctx);
    else halt(ctx, ExitCode.Interrupted, 'second SIGTERM');
    return;
  }
  if (name === 'SIGINT' || name === 'SIGQUIT') return halt(ctx, ExitCode.Interrupted, name);
  const command = SIGNAL_COMMANDS[name];
  if (command !== undefined) handleCommand(ctx, command, name);
}

export function handleCommand(ctx: MasterContext, command: string, source: string): void {
  if (ctx.wanted.phase !== 'running') return;
  switch (command) {
    case 'r':
      return reload(ctx, 'graceful', true, source);
    case 'w':
      return reload(ctx, 'graceful', false, source);
    case 'c':
      return reload(ctx, 'chain', true, source);
    case 'q':
      return stopGracefully(ctx);
    case 'Q':
      return halt(ctx, ExitCode.Interrupted, `${source} Q`);
    case '+':
      return scale(ctx, +1, source);
    case '-':
      return scale(ctx, -1, source);
    case 's':
      return ctx.io.startReport();
    case 'l':
      return ctx.io.reopenLogs(source);
    default:
      ctx.log.warn({ event: 'unknown-command', command, source }, `unknown master command ${JSON.stringify(command)} from ${source}; ignored`);
  }
}

function reload(ctx: MasterContext, kind: ReloadKind, rereadIni: boolean, source: string): void {
  if (ctx.wanted.reload !== undefined) {
    ctx.log.warn({ event: 'reload-ignored', source }, `${source}: a reload is already running; ignored`);
    return;
  }
  const config = rereadIni ? rereadConfig(ctx, source) : ctx.wanted.config;
  if (config === undefined) return;
  // uWSGI's log-reopen: a reload also reopens the log. Before the new workers start, so the
  // old ones switch too and the new ones open the same (new) file.
  if (config.logReopen) ctx.io.reopenLogs(`${source} (log-reopen)`);
  startReload({ ...ctx, now: ctx.now() }, kind, config, source);
}

/** The configuration a reload applies; undefined (logged) when it cannot be read. */
function rereadConfig(ctx: MasterContext, source: string): Config | undefined {
  const running = ctx.wanted.config;
  if (ctx.io.reread === undefined) return running;
  let reread: Config;
  try {
    reread = ctx.io.reread();
  } catch (err) {
    ctx.log.error({ event: 'reload-failed', source, err: (err as Error).message }, `${source}: the configuration cannot be read, nothing reloaded: ${(err as Error).message}`);
    return undefined;
  }
  const { config, needRestart } = mergeReloaded(running, reread);
  if (needRestart.length > 0) {
    ctx.log.warn({ event: 'restart-needed', options: needRestart }, `changed options that only a restart applies: ${needRestart.join(', ')}`);
  }
  return config;
}

/** One worker more or less; the highest id goes first. Never below one; with cheaper, never above processes. */
function scale(ctx: MasterContext, delta: 1 | -1, source: string): void {
  const processes = wantedCount(ctx.wanted) + delta;
  if (processes < 1) {
    ctx.log.warn({ event: 'scale', source, processes: processes + 1 }, `${source}: already at one worker; not removing it`);
    return;
  }
  const max = ctx.wanted.config.processes;
  if (ctx.wanted.config.cheaper > 0 && processes > max) {
    ctx.log.warn({ event: 'scale', source, processes: max }, `${source}: already at processes (${max}) workers; not adding one`);
    return;
  }
  setWantedCount(ctx.wanted, processes);
  ctx.log.info({ event: 'scale', source, processes }, `${source}: one worker ${delta > 0 ? 'more' : 'less'} (${processes})`);
}

export function stopGracefully(ctx: MasterContext): void {
  ctx.wanted.phase = 'stopping';
  const mercy = ctx.wanted.config.workerReloadMercy;
  ctx.log.info({ event: 'stopping', graceful: true, mercySeconds: mercy }, 'graceful shutdown: finishing in-flight requests');
  sdNotify('stopping', 'graceful shutdown: finishing in-flight requests');
}

/** Every worker is killed; the master exits with `code` once they are gone. */
export function halt(ctx: MasterContext, code: number, reason: string): void {
  ctx.wanted.phase = 'halting';
  ctx.wanted.exitCode = code;
  ctx.log.info({ event: 'stopping', graceful: false, reason }, `immediate shutdown: ${reason}`);
}
