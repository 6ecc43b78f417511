/**
 * Layering. The command line wins over the file, option by option. For a repeatable option
 * the command-line list REPLACES the file's list rather than adding to it, so
 * `--socket :9000` moves the server instead of opening a second socket; to keep the file's
 * sockets, repeat them on the command line.
 *
 * Two more layers come from the Emperor (vassals-include / vassals-inherit), through the
 * command-line-only `--include` and `--inherit`:
 * - an included file reads as if its lines came first in the main ini: lists add up (the
 *   included `env` lines, then the file's own), and a single-value option the file sets wins;
 * - an inherited file gives defaults: whatever sets an option over it replaces it whole, the
 *   rule of the command line over the file.
 */
import type { Layer, Setting } from './settings';

/**
 * Options that name the same thing: setting any of them on the command line discards the
 * file's settings of all of them (`--module pkg` replaces the file's `wsgi-file`).
 */
const SAME_TARGET: readonly (readonly string[])[] = [['wsgi-file', 'module']];

export function mergeLayers(file: Layer | undefined, cli: Layer): Layer {
  const merged = new Map<string, readonly Setting[]>(file ?? []);
  for (const group of SAME_TARGET) {
    if (group.some((name) => cli.has(name))) for (const name of group) merged.delete(name);
  }
  for (const [name, settings] of cli) merged.set(name, settings);
  return merged;
}

/** `--include`: the included layers' settings first, in order, then the main file's. */
export function includeLayers(included: readonly Layer[], main: Layer): Layer {
  const merged = new Map<string, Setting[]>();
  const taken = SAME_TARGET.filter((group) => group.some((name) => main.has(name))).flat();
  for (const layer of included) {
    for (const [name, settings] of layer) if (!taken.includes(name)) merged.set(name, [...(merged.get(name) ?? []), ...settings]);
  }
  for (const [name, settings] of main) merged.set(name, [...(merged.get(name) ?? []), ...settings]);
  return merged;
}

/** `--inherit`: each later inherited layer, then what is over them all, replaces option by option. */
export function inheritDefaults(inherited: readonly Layer[], over: Layer): Layer {
  const defaults = inherited.reduce<Layer>((acc, layer) => mergeLayers(acc, layer), new Map());
  return mergeLayers(defaults, over);
}
