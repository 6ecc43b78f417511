/**
 * Layering: the command line wins over the file, option by option. For a repeatable option
 * the command-line list REPLACES the file's list rather than adding to it, so
 * `--socket :9000` moves the server instead of opening a second socket; to keep the file's
 * sockets, repeat them on the command line.
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
