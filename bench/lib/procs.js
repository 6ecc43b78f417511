'use strict';
// Every process the harness starts goes through here: spawned detached (its own process group,
// so the terminal's Ctrl-C reaches only the harness, which then stops them in order) and stopped
// by pid, then by process group. Nothing is ever killed by name.
const { spawn } = require('child_process');

const OUTPUT_KEEP = 16 * 1024; // last bytes of stdout+stderr kept for error messages

/** @type {Map<number, Proc>} every group started and not yet confirmed gone */
const live = new Map();
let closed = false; // set on Ctrl-C / fatal error: nothing new may start while cleaning up

/**
 * @typedef {object} Proc
 * @property {string} name
 * @property {number} pid  also the process group id (detached)
 * @property {import('child_process').ChildProcess} child
 * @property {boolean} exited
 * @property {number|null} code
 * @property {NodeJS.Signals|null} signal
 * @property {() => string} output  the last bytes the process wrote
 * @property {Promise<void>} exitPromise
 * @property {NodeJS.Signals} stopSignal  what asks it to stop (uWSGI: SIGINT; SIGTERM means reload there)
 */
/**
 * @typedef {object} SpawnOptions
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [cwd]
 * @property {(chunk: Buffer) => void} [onOutput]
 * @property {NodeJS.Signals} [stopSignal]
 */

/**
 * Start `cmd args` in a new process group. Resolves once the process is running (or rejects when
 * it cannot be spawned at all, e.g. ENOENT).
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 * @param {SpawnOptions} [opts]
 * @returns {Promise<Proc>}
 */
function spawnGroup(name, cmd, args, opts = {}) {
  if (closed) return Promise.reject(new Error(`not starting ${name}: the bench is shutting down`));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env || process.env,
      cwd: opts.cwd,
    });
    let out = '';
    /** @param {Buffer} d */
    const keep = (d) => {
      out += d.toString();
      if (out.length > OUTPUT_KEEP) out = out.slice(-OUTPUT_KEEP);
      if (opts.onOutput) opts.onOutput(d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    /** @type {() => void} */
    let resolveExit = () => undefined;
    /** @type {Proc} */
    const proc = {
      name,
      pid: child.pid ?? -1, // -1: it could not be spawned ('error' rejects)
      child,
      exited: false,
      code: null,
      signal: null,
      stopSignal: opts.stopSignal || 'SIGTERM',
      output: () => out,
      exitPromise: new Promise((r) => (resolveExit = r)),
    };
    child.on('error', (err) => {
      if (child.pid === undefined) reject(new Error(`cannot start ${name} (${cmd}): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      proc.exited = true;
      proc.code = code;
      proc.signal = signal;
      resolveExit();
    });
    child.on('spawn', () => {
      live.set(proc.pid, proc);
      resolve(proc);
    });
  });
}

/**
 * True while any process of the group `pgid` still exists.
 * @param {number} pgid
 */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * @param {number} pgid
 * @param {NodeJS.Signals} signal
 */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

/** @param {number} ms @returns {Promise<void>} */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {number} pgid
 * @param {number} ms
 */
async function waitGroupGone(pgid, ms) {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * Stop a group: `signal` (default: the proc's stopSignal) to its root pid, up to `graceMs` for the whole group to go, then
 * SIGKILL to the group and up to 3 s more. Returns how it ended.
 * @param {Proc | null | undefined} proc
 * @param {{ signal?: NodeJS.Signals, graceMs?: number }} [opts]
 * @returns {Promise<'none' | 'exited' | 'killed' | 'stuck'>}
 */
async function stop(proc, { signal, graceMs = 8000 } = {}) {
  if (!proc || proc.pid === -1) return 'none';
  signal = signal || proc.stopSignal;
  const pgid = proc.pid;
  if (!proc.exited) {
    try {
      process.kill(pgid, signal);
    } catch {
      /* gone */
    }
  }
  /** @type {'exited' | 'killed' | 'stuck'} */
  let how = 'exited';
  if (!(await waitGroupGone(pgid, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    how = 'killed';
    if (!(await waitGroupGone(pgid, 3000))) how = 'stuck';
  }
  // The root's 'exit' event can lag the group's disappearance by a tick.
  await Promise.race([proc.exitPromise, sleep(1000)]);
  if (how !== 'stuck') live.delete(pgid);
  return how;
}

/**
 * Stop everything still running, newest first, and refuse new starts from now on.
 * @param {{ graceMs?: number }} [opts]
 */
async function stopAll(opts) {
  closed = true;
  const procs = [...live.values()].reverse();
  for (const p of procs) await stop(p, opts);
}

/** Last resort from a synchronous 'exit' handler: SIGKILL every group still known. */
function killAllSync() {
  closed = true;
  for (const pgid of live.keys()) signalGroup(pgid, 'SIGKILL');
  live.clear();
}

function liveCount() {
  return live.size;
}

module.exports = { spawnGroup, stop, stopAll, killAllSync, groupAlive, liveCount, sleep };
