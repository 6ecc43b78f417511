/**
 * The Emperor's configuration: a config that sets `emperor` describes the Emperor, not a
 * server. It takes its own options (section Emperor), its log and pidfile; anything else is a
 * vassal's option and is refused with a line saying where it belongs, rather than silently
 * ignored.
 */
import { TsuwsgiError } from '../shared/errors';
import { optionValue, type BuildInput } from './build-config';
import { findOption, type OptionSpec } from './options';
import { describe, type Origin } from './settings';
import type { EmperorConfig, SocketAddress } from '../shared/config';

/** Options outside section Emperor that mean something to the Emperor itself. */
const EMPEROR_OWN = new Set(['logto', 'pidfile', 'stats-chmod', 'strict']);

export function buildEmperorConfig(input: BuildInput): { config: EmperorConfig; warnings: readonly string[] } {
  const { settings, cwd } = input;
  for (const [name, given] of settings) {
    if (findOption(name)?.section === 'Emperor' || EMPEROR_OWN.has(name)) continue;
    const s = given[given.length - 1];
    throw new TsuwsgiError(
      'E_CONFIG_BAD_VALUE',
      `${describe(s.origin, s.key, s.text)}: a vassal's option, not the Emperor's (emperor is set); put it in the vassal files or in a vassals-include file`,
    );
  }
  const value = (name: string): unknown => {
    const spec = findOption(name) as OptionSpec;
    const base = (origin: Origin) => ({ baseDir: origin.kind === 'file' ? origin.dir : cwd });
    return optionValue(spec, settings.get(spec.name), base, cwd);
  };
  const strict = value('strict') as boolean;
  const warnings = input.unsupported.map((u) => `${describe(u.origin, u.key, u.text)}: a uWSGI option tsuwsgi does not implement`);
  if (strict && warnings.length > 0) throw new TsuwsgiError('E_CONFIG_UNSUPPORTED_OPTION', `${warnings[0]} (strict is on)`);
  const config: EmperorConfig = {
    iniFile: input.ini?.absolutePath,
    patterns: value('emperor') as string[],
    freq: value('emperor-freq') as number,
    throttleMs: value('emperor-throttle') as number,
    maxThrottleMs: Math.max(value('emperor-max-throttle') as number, value('emperor-throttle') as number),
    tyrant: value('emperor-tyrant') as boolean,
    stats: value('emperor-stats') as SocketAddress | undefined,
    statsChmod: value('stats-chmod') as number,
    vassalsInclude: value('vassals-include') as string[],
    vassalsInherit: value('vassals-inherit') as string[],
    logto: value('logto') as string | undefined,
    pidfile: value('pidfile') as string | undefined,
  };
  return { config: deepFreeze(config), warnings: Object.freeze(warnings.map((w) => `${w}; ignored`)) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
