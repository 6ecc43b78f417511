/**
 * Raw settings between reading and validation: each value keeps the key as the user wrote it
 * and where it came from, so that every message can name the file (or the command line), the
 * key and the value.
 */
import type { OptionSpec } from './options';

export type Origin =
  | { readonly kind: 'file'; readonly shown: string; readonly dir: string }
  | { readonly kind: 'cli' };

export interface Setting {
  /** The name or alias as written. */
  readonly key: string;
  /** After placeholder expansion; '' = given without a value. */
  readonly text: string;
  readonly origin: Origin;
}

/** Settings of one source, by option name, each list in the order given. */
export type Layer = ReadonlyMap<string, readonly Setting[]>;

/** A uWSGI option tsuwsgi does not implement, seen in a source. */
export interface Unsupported {
  readonly key: string;
  readonly text: string;
  readonly origin: Origin;
}

export function where(origin: Origin): string {
  return origin.kind === 'file' ? origin.shown : 'command line';
}

/**
 * `uwsgi.ini: processes = "abc"` or `command line: --processes "abc"`: numbers bare,
 * anything else quoted, nothing at all when the key came without a value.
 */
export function describe(origin: Origin, key: string, text: string): string {
  const value = text === '' ? '(no value)' : /^-?\d+$/.test(text) ? text : JSON.stringify(text);
  return origin.kind === 'file' ? `${origin.shown}: ${key} = ${value}` : `command line: --${key} ${value}`;
}

export function addSetting(layer: Map<string, Setting[]>, spec: OptionSpec, setting: Setting): void {
  const list = layer.get(spec.name) ?? [];
  list.push(setting);
  layer.set(spec.name, list);
}
