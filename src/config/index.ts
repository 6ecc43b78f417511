/**
 * The configuration module: one option table → ini file + command line → a frozen Config.
 * @module config
 */
export type { Config, EmperorConfig, SocketAddress } from '../shared/config';
export { parseCommandLine, type CommandLineResult } from './argv';
export { loadConfig, loadAnyConfig, type LoadRequest, type LoadedConfig, type LoadedAny, type CliEntry } from './load-config';
export { optionTable, findOption, OPTION_SECTIONS, type OptionSpec, type OptionKind, type OptionSection } from './options';
export { renderOptionsDoc } from './options-doc';
export { renderHelp } from './help';
export { uwsgiOnlyOptions } from './uwsgi-only-options';
