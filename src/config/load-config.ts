/**
 * The configuration pipeline: ini section + command-line settings → validated, frozen Config
 * plus warnings. Reads the ini file and nothing else; never prints, never exits.
 */
import { TsuwsgiError } from '../shared/errors';
import { buildConfig, type Built } from './build-config';
import { cliLayer, type CliEntry } from './cli-layer';
import { fileLayer } from './file-layer';
import { DEFAULT_SECTION, readIniSection, splitIniSpec } from './ini-file';
import { mergeLayers } from './merge';
import { listenFds } from '../shared/listen-fds';

export type { CliEntry } from './cli-layer';

export interface LoadRequest {
  /** `FILE.ini` or `FILE.ini:section`, as written on the command line. */
  readonly ini?: string;
  /** Command-line settings in the order given; `ini` entries name the file as `--ini` does. */
  readonly cli?: readonly CliEntry[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Whose LISTEN_FDS count (LISTEN_PID must name it); default this process. */
  readonly pid?: number;
}

export type LoadedConfig = Built;

export function loadConfig(request: LoadRequest = {}): LoadedConfig {
  const cwd = request.cwd ?? process.cwd();
  const entries = request.cli ?? [];
  const iniSpec = oneIni(request.ini, entries);
  const cli = cliLayer(entries.filter((e) => e.key !== 'ini'));
  const socketsInherited = listenFds(request.env ?? process.env, request.pid ?? process.pid).length > 0;
  if (iniSpec === undefined) {
    return buildConfig({ settings: cli.layer, ini: undefined, section: DEFAULT_SECTION, cwd, unsupported: cli.unsupported, socketsInherited });
  }
  const { file, section } = splitIniSpec(iniSpec);
  const ini = readIniSection(file, section, cwd);
  const fromFile = fileLayer(ini, request.env ?? process.env);
  const built = buildConfig({
    settings: mergeLayers(fromFile.layer, cli.layer),
    ini,
    section,
    cwd,
    unsupported: [...fromFile.unsupported, ...cli.unsupported],
    socketsInherited,
  });
  return { config: built.config, warnings: Object.freeze([...fromFile.warnings, ...built.warnings]) };
}

/** The positional FILE.ini and --ini name the same thing; more than one is ambiguous. */
function oneIni(positional: string | undefined, entries: readonly CliEntry[]): string | undefined {
  const given = [positional, ...entries.filter((e) => e.key === 'ini').map((e) => e.value)].filter(
    (v): v is string => v !== undefined,
  );
  if (given.length > 1) {
    throw new TsuwsgiError('E_CLI_USAGE', `command line: one ini file at a time (got ${given.map((g) => `"${g}"`).join(' and ')})`);
  }
  if (given[0] === '') throw new TsuwsgiError('E_CLI_USAGE', 'command line: --ini needs a file name');
  return given[0];
}
