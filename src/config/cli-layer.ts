/**
 * Turns command-line settings into a layer. No placeholders here: the shell has already
 * expanded `$VAR`, and `%d`/`%n` name an ini file the command line does not have.
 */
import { TsuwsgiError } from '../shared/errors';
import { allOptionNames, findOption } from './options';
import { addSetting, type Layer, type Origin, type Setting, type Unsupported } from './settings';
import { didYouMean } from './suggest';
import { uwsgiOnlyOptions } from './uwsgi-only-options';

export interface CliEntry {
  /** Option name or alias, without dashes. */
  readonly key: string;
  /** '' = given without a value. */
  readonly value: string;
}

export const CLI: Origin = Object.freeze({ kind: 'cli' });

/** `ini` entries are not settings: the loader takes them out first. */
export function cliLayer(entries: readonly CliEntry[]): { layer: Layer; unsupported: Unsupported[] } {
  const layer = new Map<string, Setting[]>();
  const unsupported: Unsupported[] = [];
  for (const { key, value } of entries) {
    const spec = findOption(key);
    if (spec !== undefined) addSetting(layer, spec, { key, text: value, origin: CLI });
    else if (uwsgiOnlyOptions.has(key)) unsupported.push({ key, text: value, origin: CLI });
    else throw unknownCliOption(key);
  }
  return { layer, unsupported };
}

export function unknownCliOption(key: string): TsuwsgiError {
  const hint = didYouMean(key, allOptionNames(), '--');
  return new TsuwsgiError('E_CLI_USAGE', `command line: unknown option "--${key}"${hint}`);
}
