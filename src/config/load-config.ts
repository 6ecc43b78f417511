/**
 * The configuration pipeline: ini section (+ --include / --inherit files) + command-line
 * settings → validated, frozen Config plus warnings; or, when `emperor` is set, the Emperor's
 * config. Reads the ini files and nothing else; never prints, never exits.
 */
import { TsuwsgiError } from '../shared/errors';
import { buildConfig, type Built, type BuildInput } from './build-config';
import { cliLayer, type CliEntry } from './cli-layer';
import { buildEmperorConfig } from './emperor-config';
import { fileLayer } from './file-layer';
import { DEFAULT_SECTION, readIniSection, splitIniSpec, type IniSection } from './ini-file';
import { includeLayers, inheritDefaults, mergeLayers } from './merge';
import { referencedKeys } from './placeholders';
import type { Layer, Unsupported } from './settings';
import type { EmperorConfig } from '../shared/config';
import { listenFds } from '../shared/listen-fds';

export type { CliEntry } from './cli-layer';

export interface LoadRequest {
  /** `FILE.ini` or `FILE.ini:section`, as written on the command line. */
  readonly ini?: string;
  /** Command-line settings in the order given; `ini`, `include`, `inherit` entries name files. */
  readonly cli?: readonly CliEntry[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Whose LISTEN_FDS count (LISTEN_PID must name it); default this process. */
  readonly pid?: number;
}

export type LoadedConfig = Built;

export type LoadedAny =
  | ({ readonly kind: 'config' } & Built)
  | { readonly kind: 'emperor'; readonly config: EmperorConfig; readonly warnings: readonly string[] };

/** A server's config; an Emperor's is an error here (a vassal file cannot be one). */
export function loadConfig(request: LoadRequest = {}): LoadedConfig {
  const input = gather(request);
  if (input.settings.has('emperor')) {
    const shown = input.ini?.shown ?? 'command line';
    throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `${shown}: emperor is set: this is an Emperor's configuration, not a server's (a vassal cannot be an Emperor)`);
  }
  return withFileWarnings(input, buildConfig(input));
}

/** What the command line describes: a server, or the Emperor (`emperor` set). */
export function loadAnyConfig(request: LoadRequest = {}): LoadedAny {
  const input = gather(request);
  if (input.settings.has('emperor')) return { kind: 'emperor', ...withFileWarnings(input, buildEmperorConfig(input)) };
  return { kind: 'config', ...withFileWarnings(input, buildConfig(input)) };
}

function withFileWarnings<T extends { readonly warnings: readonly string[] }>(input: Gathered, built: T): T {
  return { ...built, warnings: Object.freeze([...input.fileWarnings, ...built.warnings]) };
}

const FILE_KEYS = new Set(['ini', 'include', 'inherit']);

type Gathered = BuildInput & { readonly fileWarnings: readonly string[] };

function gather(request: LoadRequest): Gathered {
  const cwd = request.cwd ?? process.cwd();
  const env = request.env ?? process.env;
  const entries = request.cli ?? [];
  const iniSpec = oneIni(request.ini, entries);
  const cli = cliLayer(entries.filter((e) => !FILE_KEYS.has(e.key)));
  const socketsInherited = listenFds(env, request.pid ?? process.pid).length > 0;
  const main = iniSpec === undefined ? undefined : readSpec(iniSpec, cwd);
  const includes = filesNamed(entries, 'include').map((spec) => readSpec(spec, cwd));
  const inherits = filesNamed(entries, 'inherit').map((spec) => readSpec(spec, cwd));
  const all = [main, ...includes, ...inherits].filter((s): s is IniSection => s !== undefined);
  const referenced = new Set(all.flatMap((s) => s.entries.flatMap((e) => e.values.flatMap(referencedKeys))));
  const read = (s: IniSection) => fileLayer(s, env, { main, referenced });
  const layers = { main: main === undefined ? undefined : read(main), includes: includes.map(read), inherits: inherits.map(read) };
  const fromFiles: Layer = includeLayers(layers.includes.map((l) => l.layer), layers.main?.layer ?? new Map());
  const readLayers = [...(layers.main === undefined ? [] : [layers.main]), ...layers.includes, ...layers.inherits];
  const unsupported: Unsupported[] = [...readLayers.flatMap((l) => l.unsupported), ...cli.unsupported];
  return {
    settings: mergeLayers(inheritDefaults(layers.inherits.map((l) => l.layer), fromFiles), cli.layer),
    ini: main,
    section: main?.section ?? DEFAULT_SECTION,
    cwd,
    unsupported,
    socketsInherited,
    fileWarnings: readLayers.flatMap((l) => l.warnings),
  };
}

function readSpec(spec: string, cwd: string): IniSection {
  const { file, section } = splitIniSpec(spec);
  return readIniSection(file, section, cwd);
}

function filesNamed(entries: readonly CliEntry[], key: 'include' | 'inherit'): string[] {
  return entries.filter((e) => e.key === key).map((e) => {
    if (e.value === '') throw new TsuwsgiError('E_CLI_USAGE', `command line: --${key} needs a file name`);
    return e.value;
  });
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
