/**
 * Turns an ini section into settings: keys looked up in the option table, placeholders
 * expanded. A key that is neither an option, a known uWSGI option, nor used by some `%(key)`
 * (uWSGI's custom placeholders) is a typo, reported with the closest option name.
 */
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';
import type { IniEntry, IniSection } from './ini-file';
import { allOptionNames, findOption, type OptionSpec } from './options';
import { expandPlaceholders, referencedKeys, type PlaceholderContext } from './placeholders';
import { addSetting, describe, type Layer, type Origin, type Setting, type Unsupported } from './settings';
import { didYouMean } from './suggest';
import { uwsgiOnlyOptions } from './uwsgi-only-options';

export interface FileLayer {
  readonly origin: Origin;
  readonly layer: Layer;
  readonly unsupported: readonly Unsupported[];
  readonly warnings: readonly string[];
}

/** How a file read for `--include` / `--inherit` sees the main ini. */
export interface LayeredAs {
  /** The main ini: the file placeholders (%d %n %p %s %x %c) name it, so one template serves every vassal. */
  readonly main: IniSection | undefined;
  /** Keys some file of the same config uses as %(key): not unknown options where they are set. */
  readonly referenced: ReadonlySet<string>;
}

export function fileLayer(ini: IniSection, env: Readonly<Record<string, string | undefined>>, layered?: LayeredAs): FileLayer {
  const origin: Origin = { kind: 'file', shown: ini.shown, dir: path.dirname(ini.absolutePath) };
  const own = lookupIn(ini.entries);
  const main = layered?.main;
  const lookup = main === undefined || main === ini ? own : (key: string) => own(key) ?? lookupIn(main.entries)(key);
  const ctx: PlaceholderContext = { shown: ini.shown, absolutePath: main?.absolutePath ?? ini.absolutePath, env, lookup };
  const placeholders = new Set([...ini.entries.flatMap((e) => e.values.flatMap(referencedKeys)), ...(layered?.referenced ?? [])]);
  const layer = new Map<string, Setting[]>();
  const unsupported: Unsupported[] = [];
  for (const entry of ini.entries) {
    const spec = findOption(entry.key);
    if (spec !== undefined) {
      rejectInclude(spec, entry, origin);
      for (const text of entry.values) {
        addSetting(layer, spec, { key: entry.key, text: expandPlaceholders(text, entry.key, ctx), origin });
      }
    } else if (uwsgiOnlyOptions.has(entry.key)) {
      unsupported.push({ key: entry.key, text: last(entry.values), origin });
    } else if (!placeholders.has(entry.key)) {
      throw new TsuwsgiError(
        'E_CONFIG_UNKNOWN_OPTION',
        `${ini.shown}: unknown option "${entry.key}"${didYouMean(entry.key, allOptionNames())}`,
      );
    }
  }
  const warnings = ini.outsideSection.map((key) => `${ini.shown}: ${key} is outside any [section] and is ignored`);
  return { origin, layer, unsupported, warnings };
}

/** `%(key)` reads the key as written, or failing that the same option under another alias. */
function lookupIn(entries: readonly IniEntry[]): (key: string) => string | undefined {
  return (key) => {
    const exact = entries.find((e) => e.key === key);
    if (exact) return last(exact.values);
    const spec = findOption(key);
    const same = spec && entries.filter((e) => findOption(e.key) === spec).pop();
    return same ? last(same.values) : undefined;
  };
}

/**
 * Files come from the command line only: an ini naming another ini would need cycle rules.
 * `include` and `inherit` inside an ini (uWSGI's own) stay refused rather than ignored, which
 * would start the server without the settings the author meant to pull in.
 */
function rejectInclude(spec: OptionSpec, entry: IniEntry, origin: Origin): void {
  const where = describe(origin, entry.key, last(entry.values));
  if (spec.name === 'ini') {
    throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `${where}: including another ini is not supported; name one ini on the command line`);
  }
  if (spec.name === 'include' || spec.name === 'inherit') {
    throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `${where}: only on the command line (--${spec.name} FILE), as the Emperor's vassals-${spec.name} passes it; not inside an ini`);
  }
}

function last(values: readonly string[]): string {
  return values[values.length - 1] ?? '';
}
