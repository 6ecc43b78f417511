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

export function fileLayer(ini: IniSection, env: Readonly<Record<string, string | undefined>>): FileLayer {
  const origin: Origin = { kind: 'file', shown: ini.shown, dir: path.dirname(ini.absolutePath) };
  const ctx: PlaceholderContext = { shown: ini.shown, absolutePath: ini.absolutePath, env, lookup: lookupIn(ini.entries) };
  const placeholders = new Set(ini.entries.flatMap((e) => e.values.flatMap(referencedKeys)));
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

function rejectInclude(spec: OptionSpec, entry: IniEntry, origin: Origin): void {
  if (spec.name !== 'ini') return;
  throw new TsuwsgiError(
    'E_CONFIG_BAD_VALUE',
    `${describe(origin, entry.key, last(entry.values))}: including another ini is not supported; name one ini on the command line`,
  );
}

function last(values: readonly string[]): string {
  return values[values.length - 1] ?? '';
}
