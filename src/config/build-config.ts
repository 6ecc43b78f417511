/**
 * Validation, in one place: merged settings → a frozen Config. Every value goes through its
 * kind's parser; a bad one stops here with one line naming the file (or command line), the
 * key as written and the value. Nothing downstream re-checks or re-parses.
 */
import path from 'node:path';
import { compileLogFormat } from '../shared/log-format';
import { TsuwsgiError } from '../shared/errors';
import type { AppTarget } from './app-target';
import { optionTable, findOption, type OptionSpec } from './options';
import { describe, where, type Layer, type Origin, type Setting, type Unsupported } from './settings';
import type { Config } from '../shared/config';
import { parseValue, type ValueContext } from './values';
import { PASSWD_FILE, primaryGroupOf, systemAccounts } from './user-lookup';

export interface BuildInput {
  readonly settings: Layer;
  /** The ini's absolute path and where it is named in messages; undefined without a file. */
  readonly ini: { readonly absolutePath: string; readonly shown: string } | undefined;
  readonly section: string;
  readonly cwd: string;
  readonly unsupported: readonly Unsupported[];
  /** systemd passed listening sockets (LISTEN_FDS): they serve even without a socket line. */
  readonly socketsInherited?: boolean;
}

export interface Built {
  readonly config: Config;
  readonly warnings: readonly string[];
}

export function buildConfig(input: BuildInput): Built {
  const { settings, cwd } = input;
  const iniDir = input.ini && path.dirname(input.ini.absolutePath);
  const chdir = chdirOf(settings, cwd);
  // A value from the file is relative to the file, a value typed in a shell to that shell.
  const baseFor = (origin: Origin): ValueContext => ({ baseDir: chdir ?? (origin.kind === 'file' ? origin.dir : cwd) });
  const valueOf = (spec: OptionSpec): unknown => optionValue(spec, settings.get(spec.name), baseFor, cwd);

  const strict = valueOf(spec('strict')) as boolean;
  const warnings = [...unsupportedWarnings(input.unsupported, strict), ...emperorOnlyWarnings(settings)];
  const fields: Record<string, unknown> = {};
  for (const s of optionTable) if (s.key !== undefined && s.name !== 'chdir') fields[s.key] = valueOf(s);

  const shown = input.ini?.shown ?? 'command line';
  const app = appOf(settings, fields.appFile as string | undefined, valueOf(spec('module')) as AppTarget | undefined, shown);
  const config = {
    ...fields,
    iniFile: input.ini?.absolutePath,
    section: input.section,
    baseDir: chdir ?? iniDir ?? cwd,
    chdir,
    appFile: app.appFile,
    appPackage: app.appPackage,
    callable: (fields.callable as string | undefined) ?? app.callable,
    gid: gidOf(settings, fields.uid as number | undefined, fields.gid as number | undefined),
  } as Config;
  if (input.socketsInherited !== true) requireSocket(config, shown);
  checkLogFormat(settings, config);
  const cheaper = checkCheaper(checkThreads(config, warnings), shown, warnings);
  return { config: deepFreeze(cheaper), warnings: Object.freeze(warnings) };
}

function spec(name: string): OptionSpec {
  const found = findOption(name);
  if (found === undefined) throw new Error(`option table has no "${name}"`);
  return found;
}

/** chdir first: every other relative path resolves against it. */
function chdirOf(settings: Layer, cwd: string): string | undefined {
  const chdir = spec('chdir');
  return optionValue(chdir, settings.get('chdir'), (o) => ({ baseDir: o.kind === 'file' ? o.dir : cwd }), cwd) as string | undefined;
}

export function optionValue(
  s: OptionSpec,
  given: readonly Setting[] | undefined,
  baseFor: (origin: Origin) => ValueContext,
  cwd: string,
): unknown {
  if (given === undefined || given.length === 0) return defaultOf(s, cwd);
  // Non-repeatable options given twice: the last one wins, as in uWSGI.
  const used = s.repeatable ? given : given.slice(-1);
  const values = used.map((setting) => {
    const parsed = parseValue(s, setting.text, baseFor(setting.origin));
    if ('problem' in parsed) {
      throw new TsuwsgiError(parsed.code ?? 'E_CONFIG_BAD_VALUE', `${describe(setting.origin, setting.key, setting.text)}: ${parsed.problem}`);
    }
    return parsed.value;
  });
  return s.repeatable ? values : values[0];
}

function defaultOf(s: OptionSpec, cwd: string): unknown {
  if (s.default === undefined) return s.repeatable ? [] : undefined;
  const parsed = parseValue(s, s.default, { baseDir: cwd });
  if ('problem' in parsed) throw new Error(`option table: default of ${s.name} is invalid: ${parsed.problem}`);
  return s.repeatable ? [parsed.value] : parsed.value;
}

/** emperor-* and vassals-* mean something only to an Emperor (a config with `emperor`). */
function emperorOnlyWarnings(settings: Layer): string[] {
  const lines: string[] = [];
  for (const [name, given] of settings) {
    if (findOption(name)?.section !== 'Emperor') continue;
    const last = given[given.length - 1];
    lines.push(`${describe(last.origin, last.key, last.text)}: only an Emperor (emperor = DIR) reads it; ignored`);
  }
  return lines;
}

function unsupportedWarnings(unsupported: readonly Unsupported[], strict: boolean): string[] {
  const lines = unsupported.map((u) => `${describe(u.origin, u.key, u.text)}: a uWSGI option tsuwsgi does not implement`);
  if (strict && lines.length > 0) throw new TsuwsgiError('E_CONFIG_UNSUPPORTED_OPTION', `${lines[0]} (strict is on)`);
  return lines.map((line) => `${line}; ignored`);
}

function appOf(settings: Layer, appFile: string | undefined, module: AppTarget | undefined, shown: string): AppTarget {
  const file = settings.get('wsgi-file')?.at(-1);
  const mod = settings.get('module')?.at(-1);
  if (file !== undefined && mod !== undefined) {
    throw new TsuwsgiError(
      'E_CONFIG_BAD_VALUE',
      `${describe(mod.origin, mod.key, mod.text)}: ${file.key} is set too (${where(file.origin)}); give only one of them`,
    );
  }
  if (module !== undefined) return module;
  if (appFile !== undefined) return { appFile, appPackage: undefined, callable: undefined };
  throw new TsuwsgiError('E_CONFIG_NO_APP', `${shown}: no app configured; set wsgi-file (or file) or module`);
}

/**
 * gid defaults to the uid's primary group when only uid is given. uWSGI leaves the gid alone
 * then, so a root master's workers would keep group root; we never want that by accident.
 */
function gidOf(settings: Layer, uid: number | undefined, gid: number | undefined): number | undefined {
  if (gid !== undefined || uid === undefined) return gid;
  const primary = primaryGroupOf(uid, systemAccounts());
  if (primary !== undefined) return primary;
  const given = settings.get('uid')?.at(-1) as Setting;
  throw new TsuwsgiError(
    'E_CONFIG_UNKNOWN_USER',
    `${describe(given.origin, given.key, given.text)}: not in ${PASSWD_FILE}, so its primary group is unknown; set gid as well`,
  );
}

function requireSocket(config: Config, shown: string): void {
  if (config.socket.length + config.httpSocket.length > 0) return;
  throw new TsuwsgiError('E_CONFIG_NO_SOCKET', `${shown}: no socket configured; set socket (or uwsgi-socket) or http-socket`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A misspelt %(var) is a start error naming it, not a '-' in every line. */
function checkLogFormat(settings: Layer, config: Config): void {
  if (config.logFormat === undefined) return;
  try {
    compileLogFormat(config.logFormat);
  } catch (err) {
    const given = settings.get('log-format')?.at(-1) as Setting;
    throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `${describe(given.origin, given.key, given.text)}: ${(err as Error).message}`);
  }
}

export const CHEAPER_ALGOS = ['spare', 'backlog', 'busyness', 'manual'] as const;

/** threads-min is at most threads: above it, every thread runs always (said once). */
function checkThreads(config: Config, warnings: string[]): Config {
  if (config.threadsMin <= config.threads) return config;
  warnings.push(`threads-min = ${config.threadsMin} is above threads = ${config.threads}: all ${config.threads} start with each worker`);
  return { ...config, threadsMin: config.threads };
}

/** uWSGI's own checks of the cheaper options (core/init.c), with its wording where it has one. */
function checkCheaper(config: Config, shown: string, warnings: string[]): Config {
  const bad = (what: string): never => {
    throw new TsuwsgiError('E_CONFIG_BAD_VALUE', `${shown}: ${what}`);
  };
  if (!(CHEAPER_ALGOS as readonly string[]).includes(config.cheaperAlgo)) {
    bad(`cheaper-algo = ${config.cheaperAlgo}: expected one of ${CHEAPER_ALGOS.join(', ')}`);
  }
  if (config.cheaperRssLimitHard > 0 && config.cheaperRssLimitSoft === 0) bad('cheaper-rss-limit-hard needs cheaper-rss-limit-soft too');
  if (config.cheaperRssLimitHard > 0 && config.cheaperRssLimitHard <= config.cheaperRssLimitSoft) bad('cheaper-rss-limit-hard must be above cheaper-rss-limit-soft');
  if (config.cheaper === 0) return config;
  if (config.cheaper >= config.processes) bad(`cheaper = ${config.cheaper}: must be lower than processes (${config.processes})`);
  let initial = config.cheaperInitial === 0 ? config.cheaper : config.cheaperInitial;
  if (initial < config.cheaper || initial > config.processes) {
    const kept = Math.min(Math.max(initial, config.cheaper), config.processes);
    warnings.push(`cheaper-initial = ${initial} is outside cheaper..processes (${config.cheaper}..${config.processes}): starting ${kept}`);
    initial = kept;
  }
  return { ...config, cheaperInitial: initial };
}
