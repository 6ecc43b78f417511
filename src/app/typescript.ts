/**
 * An app written in TypeScript runs without a build step. Node strips types itself from 22.18
 * and 23.6 on (`process.features.typescript`); on an older Node (20), or with
 * `--no-experimental-strip-types`, the app is loaded through the user's own tsx, registered in
 * this thread as `node --import tsx` would. tsx is looked for from the app's directory and the
 * working directory (chdir), never from tsuwsgi's own node_modules: the app's loader is the app's
 * choice and version.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';

const TS_FILE = /\.(?:ts|mts|cts)$/;

export function isTypeScriptFile(file: string): boolean {
  return TS_FILE.test(file);
}

/** 'strip' or 'transform' where this Node loads .ts files itself (22.18+, 23.6+), else false. */
export function nativeTypeScript(features = process.features as { typescript?: unknown }): 'strip' | 'transform' | false {
  const ts = features.typescript;
  return ts === 'strip' || ts === 'transform' ? ts : false;
}

/** Where tsx is looked for: the app's own directory first, then the working directory. */
export function loaderSearchDirs(appFile: string, cwd: string): string[] {
  const dirs = [path.dirname(appFile), cwd];
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}

/** The directory of the tsx package the app can see (its package.json's), or undefined. */
export function findTsx(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      return path.dirname(createRequire(path.join(dir, 'noop.js')).resolve('tsx/package.json'));
    } catch {
      // Not reachable from this directory.
    }
  }
  return undefined;
}

export function missingLoaderMessage(appFile: string, version = process.version): string {
  return (
    `${appFile}: a TypeScript app needs tsx on Node ${version} (it cannot strip types): ` +
    `install it where the app can find it (cd ${path.dirname(appFile)} && npm install tsx), or run Node 22.18 or later`
  );
}

let registered: string | undefined;

/**
 * Makes this thread able to load `appFile` if it is TypeScript: nothing to do where Node strips
 * types; else tsx's CommonJS and ESM hooks are registered once per thread (each app thread has
 * its own module loader). Throws E_APP_TS_LOADER, one line naming what to install, without tsx.
 */
export async function prepareTypeScript(appFile: string, cwd = process.cwd()): Promise<void> {
  if (!isTypeScriptFile(appFile) || nativeTypeScript() !== false) return;
  const tsxDir = findTsx(loaderSearchDirs(appFile, cwd));
  if (tsxDir === undefined) throw new TsuwsgiError('E_APP_TS_LOADER', missingLoaderMessage(appFile));
  if (registered !== undefined) return;
  registered = tsxDir;
  const tsxRequire = createRequire(path.join(tsxDir, 'package.json'));
  (tsxRequire('tsx/cjs/api') as { register(): unknown }).register();
  // tsx's CommonJS build of esm/api resolves its hooks file from the wrong directory (4.x);
  // its ES build, found through the package's own exports map, is what `--import tsx` uses.
  const esmApi = (await import(esmApiUrl(tsxDir, tsxRequire))) as { register(): unknown };
  esmApi.register();
}

function esmApiUrl(tsxDir: string, tsxRequire: NodeRequire): string {
  const exported = (tsxRequire('tsx/package.json') as { exports?: Record<string, unknown> }).exports?.['./esm/api'];
  const target = typeof exported === 'string' ? exported : importTarget(exported);
  return pathToFileURL(path.join(tsxDir, target ?? 'dist/esm/api/index.mjs')).href;
}

function importTarget(entry: unknown): string | undefined {
  const imp = (entry as { import?: unknown } | undefined)?.import;
  if (typeof imp === 'string') return imp;
  const def = (imp as { default?: unknown } | undefined)?.default;
  return typeof def === 'string' ? def : undefined;
}

/**
 * Node 23.6–24.2 print "ExperimentalWarning: Type Stripping is an experimental feature" once
 * per thread: with processes × threads app threads that is noise at every start and reload,
 * for a feature the user chose by naming a .ts file. Only that warning is dropped, and only
 * while the app loads (Node warns at the first file it strips).
 */
export async function withoutStripWarning<T>(load: () => Promise<T>): Promise<T> {
  const emit = process.emitWarning;
  process.emitWarning = function quiet(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('Type Stripping is an experimental feature')) return;
    (emit as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = emit;
  }
}
