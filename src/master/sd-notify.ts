/**
 * sd_notify(3) for `Type=notify` units: READY=1 once every worker accepts, RELOADING=1 when a
 * reload starts and READY=1 when it is over, STOPPING=1 when a graceful stop starts.
 *
 * Node has no AF_UNIX datagram sockets, so each message is sent by systemd's own client,
 * `systemd-notify` (package systemd, so present wherever NOTIFY_SOCKET is set), spawned one at
 * a time so the messages arrive in order. It waits (BARRIER=1) until the manager has read the
 * message, so the manager can still attribute it to the unit; as its sender is a child of the
 * master, the unit needs `NotifyAccess=all` (a root master's message carries the master's pid
 * and would pass `main` too). Without NOTIFY_SOCKET every call is a no-op.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../shared/logger';

export type SdState = 'ready' | 'reloading' | 'stopping';

interface Target {
  readonly socket: string;
  readonly command: string;
  readonly log: Logger;
}

/** Longest wait for one systemd-notify (it gives up on its own after 5 s). */
const SEND_TIMEOUT_MS = 10_000;

let target: Target | undefined;
const queue: string[][] = [];
let sending = false;
let warned = false;

/**
 * Takes NOTIFY_SOCKET out of `env` (so neither the workers nor the app inherit it and speak for
 * the unit) and remembers it for sdNotify. Called once by the master at start.
 */
export function configureSdNotify(env: Record<string, string | undefined>, log: Logger, command = 'systemd-notify'): void {
  const socket = env.NOTIFY_SOCKET;
  delete env.NOTIFY_SOCKET;
  target = socket === undefined || socket === '' ? undefined : { socket, command, log };
}

/** Tells the service manager the master's state; `status` becomes `systemctl status`'s line. */
export function sdNotify(state: SdState, status?: string): void {
  if (target === undefined) return;
  queue.push(sdNotifyArgs(state, process.pid, status, process.hrtime.bigint() / 1000n));
  if (!sending) sendNext(target);
}

/** systemd-notify's arguments for one state change. */
export function sdNotifyArgs(state: SdState, pid: number, status: string | undefined, monotonicUsec: bigint): string[] {
  const lines =
    state === 'ready' ? ['READY=1']
      // MONOTONIC_USEC: required with RELOADING=1 by Type=notify-reload (systemd 253+).
      : state === 'reloading' ? ['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec}`]
        : ['STOPPING=1'];
  return [`--pid=${pid}`, ...lines, `STATUS=${status ?? defaultStatus[state]}`];
}

const defaultStatus: Record<SdState, string> = { ready: 'ready', reloading: 'reloading', stopping: 'stopping' };

function sendNext(to: Target): void {
  const args = queue.shift();
  if (args === undefined) {
    sending = false;
    return;
  }
  sending = true;
  let stderr = '';
  const child = spawn(to.command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: to.socket } });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), SEND_TIMEOUT_MS);
  let done = false;
  const finish = (problem: string | undefined): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (problem !== undefined && !warned) {
      warned = true;
      to.log.warn({ event: 'sd-notify-failed', socket: to.socket, message: args.join(' ') }, `NOTIFY_SOCKET is set but ${to.command} failed (${problem}): the service manager may not see the server's state`);
    }
    sendNext(to);
  };
  child.once('error', (err) => finish(err.message));
  child.once('exit', (code, signal) => finish(code === 0 ? undefined : `${signal ?? `exit ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`));
}
