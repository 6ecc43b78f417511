/**
 * fs.readSync and fs.writeSync report EAGAIN only by throwing, and capturing the error's stack
 * is a third to half of the call (read-now.ts, light-socket.ts). These turn stack capture off
 * around such a call and back on after it, before anything else runs.
 *
 * A plain assignment, not Reflect.set: Reflect.set is a call into C++ on every request, ~20 times
 * the assignment. An app that froze Error (a hardened realm) makes the assignment throw; that
 * is seen once, and from then on the stack is left to be built.
 */
let frozen = false;

/** Turns stack capture off; returns the limit to restore. */
export function muteStacks(): number {
  const limit = Error.stackTraceLimit;
  if (!frozen) {
    try {
      Error.stackTraceLimit = 0;
    } catch {
      frozen = true;
    }
  }
  return limit;
}

export function restoreStacks(limit: number): void {
  if (!frozen) Error.stackTraceLimit = limit;
}
