/**
 * The command line, built from the option table with commander. Commander only splits argv
 * into (name, value) pairs in the order given; their meaning and validation are the same as
 * for ini values. Never prints and never exits: help and version come back as text, errors
 * as TsuwsgiError E_CLI_USAGE, and the caller decides what to do.
 */
import { Command, CommanderError, Option } from 'commander';
import { TsuwsgiError } from '../shared/errors';
import { packageVersion } from '../shared/package-version';
import { bindOptionalValues } from './argv-optional';
import { unknownCliOption, type CliEntry } from './cli-layer';
import { renderHelp } from './help';
import { loadAnyConfig } from './load-config';
import { optionTable } from './options';
import { valueIsOptional } from './option-text';
import type { Config, EmperorConfig } from '../shared/config';
import { uwsgiOnlyOptions } from './uwsgi-only-options';

export type CommandLineResult =
  | { readonly kind: 'config'; readonly config: Config; readonly warnings: readonly string[] }
  | { readonly kind: 'emperor'; readonly config: EmperorConfig; readonly warnings: readonly string[] }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string };

/** `argv` without the node and script paths (process.argv.slice(2)). */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): CommandLineResult {
  const entries: CliEntry[] = [];
  const program = buildProgram(entries);
  try {
    program.parse(bindOptionalValues(argv), { from: 'user' });
  } catch (err) {
    throw usageError(err);
  }
  const flags = program.opts<{ help?: boolean; version?: boolean }>();
  if (flags.help) return { kind: 'help', text: renderHelp() };
  if (flags.version) return { kind: 'version', text: packageVersion() };
  const ini = program.args[0] as string | undefined;
  return loadAnyConfig({ ini, cli: entries, env, cwd });
}

function buildProgram(entries: CliEntry[]): Command {
  const program = new Command('tsuwsgi')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined })
    .helpOption(false)
    .allowExcessArguments(false)
    .argument('[ini]', 'FILE.ini or FILE.ini:SECTION')
    .option('-h, --help')
    .option('-V, --version');
  const record = (key: string) => (value: string): string => {
    entries.push({ key, value });
    return value;
  };
  for (const spec of optionTable) {
    for (const name of [spec.name, ...spec.aliases]) {
      const option = valueIsOptional(spec) ? new Option(`--${name} [value]`).preset('') : new Option(`--${name} <value>`);
      program.addOption(option.argParser(record(name)));
    }
  }
  // Accepted so that they warn (or fail under strict) exactly as they do in an ini file.
  for (const name of uwsgiOnlyOptions) {
    program.addOption(new Option(`--${name} [value]`).preset('').argParser(record(name)).hideHelp());
  }
  return program;
}

function usageError(err: unknown): unknown {
  if (!(err instanceof CommanderError)) return err;
  if (err.code === 'commander.unknownOption') {
    const flag = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    return unknownCliOption(flag.replace(/^-+/, '').replace(/=.*$/, ''));
  }
  const oneLine = err.message.replace(/^error:\s*/, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return new TsuwsgiError('E_CLI_USAGE', `command line: ${oneLine}`);
}
