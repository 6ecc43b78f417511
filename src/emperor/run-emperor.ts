/**
 * The Emperor's entry: refuses what it must not run (tyrant without root, vassal directories
 * a user other than root could change under a root Emperor, a directory that is not there),
 * opens what it owns (the notify bridge, emperor-stats, the pidfile), then starts watching. On
 * exit it removes its pidfile and stats socket. An Emperor fault exits 1 at once: each vassal
 * then reads EOF on its pipe and stops gracefully by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EmperorConfig } from '../shared/config';
import { TsuwsgiError } from '../shared/errors';
import { ExitCode } from '../shared/exit-codes';
import type { LogHandle } from '../shared/logger';
import { writePidfile } from '../master/pidfile';
import { removeOwnFiles } from '../master/vacuum';
import type { StatsServer } from '../master/stats/stats-server';
import { Emperor } from './emperor';
import { serveEmperorStats } from './emperor-stats';
import { NotifyBridge } from './notify-bridge';
import { factsOf, judgeVassalFile, vassalDirProblem } from './tyrant';
import { splitIniSpec } from '../config/ini-file';
import { baseDirOf } from './vassal-files';

export async function runEmperor(config: EmperorConfig, logs: LogHandle): Promise<void> {
  const root = (process.geteuid?.() ?? 0) === 0;
  checkStart(config, root);
  let emperor: Emperor | undefined;
  const bridge = await NotifyBridge.start((file, token, m) => emperor?.report(file, token, m));
  const onStatsError = (err: Error): void => logs.logger.warn({ event: 'stats-error', err: err.message }, `emperor-stats: ${err.message}`);
  const stats: StatsServer | undefined = await serveEmperorStats(config, () => (emperor as Emperor).document(), onStatsError);
  if (stats !== undefined) logs.logger.info({ event: 'stats-listening', address: stats.name }, `emperor-stats on ${stats.name}`);
  if (config.pidfile !== undefined) writePidfile(config.pidfile);
  const finish = (code: number): void => {
    stats?.close();
    bridge.close();
    removeOwnFiles({ vacuum: true, sockets: [], fifo: undefined, pidfile: config.pidfile, stats: stats?.file }, logs.logger);
    logs.flush();
    process.exit(code);
  };
  emperor = new Emperor(config, logs, bridge, { root, tyrant: config.tyrant }, finish);
  process.on('uncaughtException', (err) => {
    logs.logger.fatal({ event: 'emperor-crashed', err }, `the Emperor crashed: ${err.message}; its vassals stop on their own`);
    finish(ExitCode.Internal);
  });
  emperor.start();
}

function checkStart(config: EmperorConfig, root: boolean): void {
  if (config.tyrant && !root) {
    throw new TsuwsgiError('E_EMPEROR_NOT_ROOT', `emperor-tyrant: the Emperor runs as uid ${process.geteuid?.()}, and only root can start each vassal as its file's owner`);
  }
  for (const pattern of config.patterns) {
    const base = baseDirOf(pattern);
    if (!isDir(base)) throw new TsuwsgiError('E_EMPEROR_DIR', `emperor ${pattern}: ${base} is not a directory`);
    const problem = root ? vassalDirProblem(base, config.tyrant) : undefined;
    if (problem !== undefined) throw new TsuwsgiError('E_EMPEROR_UNSAFE_DIR', `emperor ${pattern}: refusing to start vassals as root from there: ${problem}`);
  }
  if (root) for (const [option, file] of templates(config)) checkTemplate(option, file);
}

function templates(config: EmperorConfig): [string, string][] {
  return [...config.vassalsInclude.map((f): [string, string] => ['vassals-include', f]), ...config.vassalsInherit.map((f): [string, string] => ['vassals-inherit', f])];
}

/**
 * Every vassal reads the templates, root's vassals too: as for a vassal file without tyrant,
 * only root may be able to change them (an `env = NODE_OPTIONS=--require ...` there would run
 * in every root vassal).
 */
function checkTemplate(option: string, spec: string): void {
  const { file } = splitIniSpec(spec);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    throw new TsuwsgiError('E_CONFIG_FILE', `${option} ${file}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code})`);
  }
  const verdict = judgeVassalFile(factsOf(st), { root: true, tyrant: true });
  const problem = !verdict.ok ? `it ${verdict.why}`
    : st.uid !== 0 ? `it is owned by uid ${st.uid}, not root, and every vassal reads it, root's too`
      : vassalDirProblem(path.dirname(file), false);
  if (problem !== undefined) throw new TsuwsgiError('E_EMPEROR_UNSAFE_TEMPLATE', `${option} ${file}: refusing, as root: ${problem}`);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
