/**
 * One line saying why a worker could not be started. Node's error reads "spawn /usr/bin/node
 * ENOENT" whether the node binary or the chdir is missing; the operator needs to know which.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface SpawnFailure {
  /** The errno name (ENOENT, EACCES, EAGAIN …), or UNKNOWN. */
  readonly code: string;
  readonly message: string;
}

export function describeSpawnFailure(err: unknown, chdir: string | undefined, node: string, isDir: (p: string) => boolean = isDirectory): SpawnFailure {
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : 'UNKNOWN';
  const chdirBroken = chdir !== undefined && !isDir(chdir);
  switch (code) {
    case 'ENOENT':
      return { code, message: chdirBroken ? `chdir ${chdir} does not exist` : `${node} not found` };
    case 'ENOTDIR':
      return { code, message: `chdir ${chdir ?? '(none)'} is not a directory` };
    case 'EACCES':
      return { code, message: `the workers' user may not run ${node}${chdir === undefined ? '' : ` or enter chdir ${chdir}`}` };
    case 'EAGAIN':
      return { code, message: "the system refused a new process: the workers' user is at its process limit (RLIMIT_NPROC, ulimit -u) or memory is short" };
    case 'EMFILE':
    case 'ENFILE':
      return { code, message: "the master has no file descriptor left for the worker's stdio and IPC channel" };
    default:
      return { code, message: err instanceof Error ? err.message : String(err) };
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether `child` really started. Node reports some failed spawns (ENOENT, EACCES, EAGAIN,
 * EMFILE, ENFILE) only by an 'error' event, on the next tick, on a ChildProcess without a pid;
 * unhandled, that event would end the master. For such a child `failed` hears of it once, and
 * any later 'error' is swallowed: nothing else will ever happen to it.
 */
export function started(child: ChildProcess, failed: (err: unknown) => void): child is ChildProcess & { readonly pid: number } {
  if (child.pid !== undefined) return true;
  let told = false;
  child.on('error', (err) => {
    if (!told) failed(err);
    told = true;
  });
  return false;
}
