/**
 * Options whose value is optional (bools, chmod-socket, the uWSGI-only options) would let
 * commander take the next word as their value, so `tsuwsgi --vacuum app.ini` would read
 * "app.ini" as a bool. Here such an option keeps the next word only when it is a value it
 * accepts; otherwise it becomes `--name=` (no value) and the word stays a positional.
 */
import { findOption } from './options';
import { valueIsOptional } from './option-text';
import { uwsgiOnlyOptions } from './uwsgi-only-options';
import { parseBool, parseMode } from './values';

const INI_SPEC = /\.ini(:[^:/\\]+)?$/;

export function bindOptionalValues(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    const next = argv[i + 1];
    if (name === undefined || next === undefined || next.startsWith('-')) return arg;
    return takesAsValue(name, next) === false ? `${arg}=` : arg;
  });
}

/** undefined: not an option with an optional value, commander decides. */
function takesAsValue(name: string, word: string): boolean | undefined {
  const spec = findOption(name);
  if (spec !== undefined) {
    if (!valueIsOptional(spec)) return undefined;
    return 'value' in (spec.kind === 'mode' ? parseMode(word) : parseBool(word));
  }
  return uwsgiOnlyOptions.has(name) ? !INI_SPEC.test(word) : undefined;
}
