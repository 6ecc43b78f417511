/**
 * Hooks tsuwsgi puts on a request or response as own properties (response.ts, post-buffer.ts,
 * http-limits.ts), not as methods of a class: Express gives every request and response its own
 * prototype, and a class's methods would be skipped. A hook then calls what is under it: the
 * method the prototype chain has past the object that holds the hook (Node's, or a framework's
 * own). Past that object, not past `this`: a call on an object made with Object.create(res)
 * finds the hook on its prototype, and calling the hook again from there would never end.
 */

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Method = Function;

/** The method under `hook`, the own property `name` of `self` or of an object it inherits from. */
export function methodUnder(self: object, name: string, hook: Method): (...args: unknown[]) => unknown {
  let holder: object | null = self;
  while (holder !== null && !(Object.prototype.hasOwnProperty.call(holder, name) && (holder as Record<string, unknown>)[name] === hook)) {
    holder = Object.getPrototypeOf(holder) as object | null;
  }
  // Not found (the hook was copied onto some other object): what `self` inherits.
  const from = Object.getPrototypeOf(holder ?? self) as Record<string, unknown> | null;
  return from?.[name] as (...args: unknown[]) => unknown;
}
