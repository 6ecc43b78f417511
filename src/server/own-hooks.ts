/**
 * Hooks tsuwsgi puts on a request or response as own properties (response.ts, post-buffer.ts,
 * http-limits.ts), not as methods of a class: Express gives every request and response its own
 * prototype, and a class's methods would be skipped. The object that gets them is marked
 * (hooked()); a hook calls what is under it, the method the marked object's prototype has
 * (Node's, or a framework's own), found from `this` up:
 *  - a call on an object made with Object.create(res) walks up to res, not to res itself: the
 *    hook found there again would be called forever;
 *  - two hooks on one object (limit-post's push over post-buffering's) share what is under them;
 *  - a wrapper an app put over a hook (compression's res.end) calls the hook, which goes on below.
 */

const kHooked = Symbol('tsuwsgi.hooked');

/** Marks `obj` as the object that holds hooks. */
export function hooked(obj: object): void {
  (obj as { [kHooked]?: true })[kHooked] = true;
}

/** What the hooked object's prototype has under `name`; for an object none holds: what `self` inherits. */
export function methodUnder(self: object, name: string): (...args: unknown[]) => unknown {
  let holder: object | null = self;
  while (holder !== null && !Object.prototype.hasOwnProperty.call(holder, kHooked)) holder = Object.getPrototypeOf(holder) as object | null;
  const from = Object.getPrototypeOf(holder ?? self) as Record<string, unknown> | null;
  return from?.[name] as (...args: unknown[]) => unknown;
}
