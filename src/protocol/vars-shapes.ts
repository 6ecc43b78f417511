/**
 * The vars object of a packet, built fast when its keys are a sequence seen before.
 *
 * A front end sends the same keys in the same order on nearly every request (nginx's
 * uwsgi_params, then the client's usual headers). Storing N different keys one by one into a
 * fresh object goes through V8's megamorphic keyed-store stub once per key, and each store moves
 * the object to a new hidden class; reading `vars[key]` to join repeats costs a megamorphic load
 * more. For a sequence of known keys (the constants of known-keys.ts) that has come twice in a
 * row, a constructor is compiled whose body stores each key by name (`this.QUERY_STRING =
 * v[0]; ...`): one hidden class, properties inside the object, stores V8 resolves at compile
 * time. Only the constants of known-keys.ts are ever put into code (they are checked against
 * `^[A-Z_]+$` again here), never bytes from the packet.
 *
 * Bounded: at most MAX_SHAPES constructors per thread, replaced in turn, and at most
 * MAX_COMPILES compiled in the thread's life (a compile is ~0.1 ms: a peer sending each of many
 * key orders twice in a row must not make the thread compile for every other request). Past
 * either bound, packets take the generic path, which gives the same object; so does every
 * packet where code generation from strings is turned off (`--disallow-code-generation-from-strings`).
 */

import { isKnownKey } from './known-keys.js';

/**
 * What every vars object is made from: an object whose prototype is empty, frozen and has no
 * prototype itself, so a var named `constructor`, `toString` or `__proto__` is an own value
 * like any other and nothing is inherited. Not Object.create(null): V8 makes that a hash table
 * from the start and grows it by rehashing as vars are added, while a constructed object starts
 * with room for properties. Measured on a browser's nginx packet: 59 % less allocated per parse
 * and 17 % less time, and requestHead's walk over the vars allocates half as much.
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
class VarsBlock {}
Object.setPrototypeOf(VarsBlock.prototype, null);
Reflect.deleteProperty(VarsBlock.prototype, 'constructor');
Object.freeze(VarsBlock.prototype);

export type Vars = Record<string, string>;

/** An empty vars object, for the generic path. */
export function newVars(): Vars {
  return new VarsBlock() as Vars;
}

type Build = new (values: readonly string[]) => Vars;

interface Shape {
  readonly keys: readonly string[];
  readonly build: Build;
}

export const MAX_SHAPES = 8;
export const MAX_COMPILES = 64;
const SAFE_NAME = /^[A-Z_]+$/;

const shapes: Shape[] = [];
let nextSlot = 0;
/** The last sequence of known keys that matched no shape: compiled if the next packet repeats it. */
let candidate: string[] = [];
/** The last sequence that could not be compiled (a key repeated): not tried again while it repeats. */
let refused: string[] = [];
let codegen = true;
let compilesLeft = MAX_COMPILES;

/**
 * The vars for `keys[0..n)` and `values[0..n)` when the keys are a known shape, else undefined
 * (the caller builds them itself). `allKnown` says every key is a known-key constant.
 */
export function shapedVars(keys: readonly string[], values: readonly string[], n: number, allKnown: boolean): Vars | undefined {
  if (!allKnown || n === 0) return undefined;
  for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s]!;
    if (sameKeys(shape.keys, keys, n)) return new shape.build(values);
  }
  // Nothing more can be compiled: no sequence need be remembered (no copy per packet).
  if (!codegen || compilesLeft === 0 || sameKeys(refused, keys, n)) return undefined;
  if (sameKeys(candidate, keys, n)) {
    const shape = compile(candidate);
    if (shape === undefined) {
      refused = candidate;
    } else {
      shapes[nextSlot] = shape;
      nextSlot = (nextSlot + 1) % MAX_SHAPES;
    }
    candidate = [];
    if (shape !== undefined) return new shape.build(values);
  } else {
    candidate = keys.slice(0, n);
  }
  return undefined;
}

function sameKeys(shapeKeys: readonly string[], keys: readonly string[], n: number): boolean {
  if (shapeKeys.length !== n) return false;
  // Known keys are interned constants: identity is equality.
  for (let i = 0; i < n; i++) if (shapeKeys[i] !== keys[i]) return false;
  return true;
}

function compile(keys: readonly string[]): Shape | undefined {
  if (!codegen || compilesLeft === 0) return undefined;
  // A repeated key is joined with the one before it, which a constructor of stores cannot do.
  if (new Set(keys).size !== keys.length) return undefined;
  for (const key of keys) if (!isKnownKey(key) || !SAFE_NAME.test(key)) return undefined;
  const body = keys.map((key, i) => `this.${key} = v[${i}];`).join('\n');
  let build: Build;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    build = new Function('v', body) as unknown as Build;
  } catch {
    // --disallow-code-generation-from-strings: the generic path for good.
    codegen = false;
    return undefined;
  }
  compilesLeft--;
  (build as unknown as { prototype: object }).prototype = VarsBlock.prototype;
  return { keys: keys.slice(), build };
}

/** For tests: how many shapes are compiled, how many compiles are left, and forget them all. */
export const varsShapes = {
  count: (): number => shapes.length,
  compilesLeft: (): number => compilesLeft,
  reset: (): void => {
    compilesLeft = MAX_COMPILES;
    shapes.length = 0;
    nextSlot = 0;
    candidate = [];
    refused = [];
  },
};
