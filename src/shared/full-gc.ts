/**
 * One memory-reducing garbage collection on demand: an idle app thread's (worker/idle-gc.ts),
 * the master's once it is ready (master.ts). V8 offers it to JavaScript only through its `gc`
 * extension, which --expose-gc installs as a global in every context made while the flag is
 * on: the app would see it. So the flag is on only while one private context is made, whose
 * `gc` is kept (that context costs the heap ~0.2-0.3 MB), and off again, unless the user turned
 * it on. A global `gc` is never called: an app may have put its own function there.
 *
 * On V8 12 and later (Node 22+) a plain full collection leaves the pages it freed pooled for
 * reuse; 'last-resort', its memory-reducing one, gives them back to the system. V8 11 (Node 20)
 * reads any options object as a minor collection; there a second plain full collection gives
 * back what the first freed (measured in docs/design-notes.md, "Memory").
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const READS_GC_OPTIONS = Number(process.versions.v8.split('.')[0]) >= 12;

type GcExtension = (options?: { type?: string; execution?: string; flavor?: string }) => unknown;

/** This thread's collection, once found (each app thread has its own module instance). */
let collector: (() => void) | undefined;

/**
 * Collects this thread's heap in full; false where V8 would not give a collection. Found at the
 * first call, not at the thread's start: app threads start together, and the flag is
 * process-wide, so a context another thread made meanwhile would get a `gc` too, or this one
 * none (then the next call tries again).
 */
export function collectGarbage(): boolean {
  collector ??= memoryReducingGc();
  if (collector === undefined) return false;
  collector();
  return true;
}

function memoryReducingGc(): (() => void) | undefined {
  const gc = privateGc();
  if (gc === undefined) return undefined;
  if (!READS_GC_OPTIONS) {
    return () => {
      gc();
      gc();
    };
  }
  return () => void gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/** The user gave --expose-gc (node-args, NODE_OPTIONS): the flag is theirs to keep on. */
function userExposesGc(): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.some((a) => /^--expose[-_]gc$/.test(a));
}

function privateGc(): GcExtension | undefined {
  const theirs = userExposesGc();
  try {
    if (!theirs) v8.setFlagsFromString('--expose-gc');
    const found: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof found === 'function' ? (found as GcExtension) : undefined;
  } catch {
    return undefined;
  } finally {
    if (!theirs) v8.setFlagsFromString('--no-expose-gc');
  }
}
