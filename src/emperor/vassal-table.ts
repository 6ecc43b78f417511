/**
 * The vassal table: one record per vassal file and every transition it can make, as plain
 * functions that change the record and return what the Emperor must do (start a process, send
 * a signal, wake up later, log a line). No process, timer or file is touched here, so every
 * transition is unit-tested alone; emperor.ts carries out the effects.
 *
 * States: `loading` (started, no READY=1 yet), `running`, `reloading` (SIGHUP sent or
 * RELOADING=1 received, until READY=1), `stopping` (SIGTERM sent, or the vassal said
 * STOPPING=1), `throttled` (dead, its next start is delayed), `failed` (dead after failing at
 * start twice or more in a row; still retried, at the throttle), `refused` (its file fails the
 * root Emperor's checks: not started until the file changes).
 */
import { strikesAfter, throttleDelayMs, type ThrottlePolicy } from './throttle';
import type { Credentials } from './tyrant';

export type VassalState = 'loading' | 'running' | 'reloading' | 'stopping' | 'throttled' | 'failed' | 'refused';

/** What identifies a version of the file: a change of any field is a change of the vassal. */
export interface FileSignature {
  readonly mtimeMs: number;
  readonly ino: number;
  readonly size: number;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
}

/** After the running process exits: start it again (throttled), at once, or not at all. */
type Then = 'respawn' | 'start' | 'forget' | 'stay';

export interface Vassal {
  readonly file: string;
  readonly name: string;
  state: VassalState;
  signature: FileSignature;
  runAs: Credentials | undefined;
  pid: number | undefined;
  starts: number;
  strikes: number;
  startedAt: number | undefined;
  readyAt: number | undefined;
  lastExit: Exit | undefined;
  nextStartAt: number | undefined;
  /** Why it is refused, or why its last start failed. */
  why: string | undefined;
  /** The vassal master's own STATUS= line. */
  status: string | undefined;
  then: Then;
  /** When the Emperor sent SIGHUP (the vassal confirms with RELOADING=1). */
  hupAt: number | undefined;
  /** The file changed while a reload was under way: SIGHUP again once it is over. */
  reloadAgain: boolean;
}

export type Effect =
  | { readonly kind: 'spawn' }
  | { readonly kind: 'signal'; readonly signal: 'SIGTERM' | 'SIGHUP' | 'SIGINT' }
  | { readonly kind: 'wake'; readonly inMs: number }
  | { readonly kind: 'forget' }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly event: string; readonly msg: string; readonly fields?: Record<string, unknown> };

/** A file verdict: start it (as runAs), or refuse it, saying why. */
export type Admission = { readonly ok: true; readonly runAs: Credentials | undefined } | { readonly ok: false; readonly why: string };

/** A reload that never got its RELOADING=1 was refused by the vassal (its log says why). */
export const RELOAD_CONFIRM_MS = 5_000;

function log(level: 'info' | 'warn' | 'error', event: string, v: Vassal, msg: string, fields: Record<string, unknown> = {}): Effect {
  return { kind: 'log', level, event, msg: `vassal ${v.name}: ${msg}`, fields: { vassal: v.file, ...fields } };
}

/** A file seen for the first time. */
export function newVassal(file: string, name: string, signature: FileSignature, admission: Admission): { vassal: Vassal; effects: Effect[] } {
  const vassal: Vassal = {
    file, name, state: 'loading', signature, runAs: undefined, pid: undefined, starts: 0, strikes: 0, startedAt: undefined,
    readyAt: undefined, lastExit: undefined, nextStartAt: undefined, why: undefined, status: undefined, then: 'respawn',
    hupAt: undefined, reloadAgain: false,
  };
  if (!admission.ok) return { vassal, effects: refuse(vassal, admission.why) };
  vassal.runAs = admission.runAs;
  return { vassal, effects: [{ kind: 'spawn' }] };
}

function refuse(v: Vassal, why: string): Effect[] {
  v.why = why;
  v.nextStartAt = undefined;
  if (v.pid === undefined) {
    v.state = 'refused';
    return [log('error', 'vassal-refused', v, `refused: ${v.file} ${why}`, { code: 'E_VASSAL_REFUSED' })];
  }
  v.then = 'stay';
  v.state = 'stopping';
  return [log('error', 'vassal-refused', v, `refused, stopping it: ${v.file} ${why}`, { code: 'E_VASSAL_REFUSED' }), { kind: 'signal', signal: 'SIGTERM' }];
}

/** The process is started (pid known). */
export function started(v: Vassal, pid: number, now: number): Effect[] {
  v.pid = pid;
  v.starts += 1;
  v.startedAt = now;
  v.readyAt = undefined;
  v.state = 'loading';
  v.then = 'respawn';
  v.nextStartAt = undefined;
  v.status = undefined;
  v.hupAt = undefined;
  v.reloadAgain = false;
  const as = v.runAs === undefined ? '' : ` as uid ${v.runAs.uid} gid ${v.runAs.gid}`;
  return [log('info', 'vassal-started', v, `started (pid ${pid})${as}`, { pid, starts: v.starts, uid: v.runAs?.uid, gid: v.runAs?.gid })];
}

/**
 * The file changed (or SIGHUP asked for every vassal again). `restartFor` lists the options
 * only a restart applies whose value changed since the process started (empty: a reload does).
 */
export function fileChanged(v: Vassal, signature: FileSignature, admission: Admission, restartFor: readonly string[], now: number): Effect[] {
  v.signature = signature;
  if (!admission.ok) return refuse(v, admission.why);
  const ownerChanged = v.runAs?.uid !== admission.runAs?.uid || v.runAs?.gid !== admission.runAs?.gid;
  v.runAs = admission.runAs;
  v.why = undefined;
  if (v.pid === undefined) {
    // A change is a new attempt: a throttled, failed or refused vassal starts at once.
    v.strikes = 0;
    return [{ kind: 'spawn' }];
  }
  if (v.state === 'stopping') {
    // Whatever it was stopping for (a removal, a restart, its own fifo q), the file is here now.
    v.then = 'start';
    return [];
  }
  const why = ownerChanged ? ['the file\'s owner'] : restartFor;
  if (why.length > 0) {
    v.then = 'start';
    v.state = 'stopping';
    return [log('info', 'vassal-restart', v, `restarting: changed ${why.join(', ')}, which only a restart applies`, { options: why }), { kind: 'signal', signal: 'SIGTERM' }];
  }
  if (v.state === 'loading' || v.state === 'reloading') {
    v.reloadAgain = true;
    return [];
  }
  return hup(v, 'reloading: its file changed', now);
}

function hup(v: Vassal, msg: string, now: number): Effect[] {
  v.state = 'reloading';
  v.hupAt = now;
  v.reloadAgain = false;
  return [log('info', 'vassal-reload', v, msg), { kind: 'signal', signal: 'SIGHUP' }];
}

/** The file is gone: stop the vassal gracefully, then forget it. */
export function fileRemoved(v: Vassal): Effect[] {
  if (v.pid === undefined) return [log('info', 'vassal-removed', v, 'its file is gone'), { kind: 'forget' }];
  v.then = 'forget';
  v.state = 'stopping';
  return [log('info', 'vassal-stopping', v, 'its file is gone: stopping it gracefully'), { kind: 'signal', signal: 'SIGTERM' }];
}

/** The vassal's master told its state (sd_notify through the Emperor's bridge). */
export function notified(v: Vassal, what: 'ready' | 'reloading' | 'stopping', status: string | undefined, now: number): Effect[] {
  if (status !== undefined) v.status = status;
  if (v.state === 'stopping' && what !== 'stopping') return [];
  if (what === 'reloading') {
    v.state = 'reloading';
    v.hupAt = undefined;
    return [];
  }
  if (what === 'stopping') {
    v.state = 'stopping';
    return [];
  }
  const first = v.readyAt === undefined;
  v.readyAt ??= now;
  v.state = 'running';
  v.hupAt = undefined;
  const effects: Effect[] = first ? [log('info', 'vassal-ready', v, `ready (${status ?? 'accepting'})`, { pid: v.pid })] : [log('info', 'vassal-reloaded', v, `reloaded (${status ?? 'accepting'})`, { pid: v.pid })];
  if (v.reloadAgain) effects.push(...hup(v, 'reloading again: its file changed during the last reload', now));
  return effects;
}

/** A SIGHUP the vassal never confirmed: it refused the reload (its log says why). */
export function checkReload(v: Vassal, now: number): Effect[] {
  if (v.state !== 'reloading' || v.hupAt === undefined || now - v.hupAt < RELOAD_CONFIRM_MS) return [];
  v.state = 'running';
  v.hupAt = undefined;
  return [log('warn', 'vassal-reload-refused', v, `did not start the reload within ${RELOAD_CONFIRM_MS} ms (see its own log: a configuration it cannot read keeps the running one)`)];
}

/** The process exited (or could not be started: pid undefined, `code` null). */
export function exited(v: Vassal, exit: Exit, policy: ThrottlePolicy, emperorStopping: boolean): Effect[] {
  const run = { readyAt: v.readyAt, exitAt: exit.at };
  const how = exit.signal !== null ? `on ${exit.signal}` : `with code ${exit.code}`;
  const pid = v.pid;
  v.pid = undefined;
  v.lastExit = exit;
  v.hupAt = undefined;
  const ended = log(v.then === 'respawn' && !emperorStopping ? 'warn' : 'info', 'vassal-exited', v, `exited ${how}`, { pid, code: exit.code, signal: exit.signal });
  if (emperorStopping || v.then === 'forget') return [ended, { kind: 'forget' }];
  if (v.then === 'stay') {
    v.state = 'refused';
    return [ended];
  }
  if (v.then === 'start') return [ended, { kind: 'spawn' }];
  v.strikes = strikesAfter(v.strikes, run);
  const delay = throttleDelayMs(v.strikes, policy);
  if (delay === 0) return [ended, { kind: 'spawn' }];
  v.state = v.strikes >= 2 ? 'failed' : 'throttled';
  v.nextStartAt = exit.at + delay;
  const effects: Effect[] = [ended, { kind: 'wake', inMs: delay }];
  if (v.state === 'failed') {
    effects.push(log('error', 'vassal-failing', v, `keeps failing at start (${v.strikes} times in a row, last ${how}): next start in ${delay} ms`, { strikes: v.strikes, delayMs: delay }));
  } else {
    effects.push(log('warn', 'vassal-throttled', v, `died before serving: next start in ${delay} ms`, { delayMs: delay }));
  }
  return effects;
}

/** A timer fired: start it if its delay is over and nothing else happened since. */
export function due(v: Vassal, now: number): Effect[] {
  if (v.pid !== undefined || v.nextStartAt === undefined || now < v.nextStartAt) return [];
  v.nextStartAt = undefined;
  return [{ kind: 'spawn' }];
}
