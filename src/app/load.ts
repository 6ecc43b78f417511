/**
 * Loads the app module once per app thread and finds its callable. CommonJS and ESM are both
 * loaded through import(), which hands CommonJS `module.exports` over as the default export.
 */
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';
import type { LoadedApp, NodeListener, FetchApp } from './types';
import { fetchToNodeListener } from './fetch-adapter';
import { isNodeServer, serverListener } from './node-server';

export interface AppSource {
  readonly appFile: string | undefined;
  readonly appPackage: string | undefined;
  readonly callable: string | undefined;
  readonly baseDir: string;
}

export async function loadApp(src: AppSource): Promise<LoadedApp> {
  const { specifier, label } = resolveModule(src);
  let ns: Record<string, unknown>;
  try {
    ns = requireCommonJs(specifier) ?? ((await import(specifier)) as Record<string, unknown>);
  } catch (err) {
    throw new TsuwsgiError('E_APP_LOAD', `${label}: cannot load the app: ${describe(err)}`);
  }
  const callable = pickCallable(ns, src.callable);
  if (callable === undefined) {
    const wanted = src.callable ? `"${src.callable}"` : '"application", a default export or module.exports';
    throw new TsuwsgiError('E_APP_CALLABLE', `${label}: no callable ${wanted} found (exports: ${Object.keys(ns).join(', ') || 'none'})`);
  }
  const app = toListener(callable);
  if (app === undefined) {
    throw new TsuwsgiError(
      'E_APP_CALLABLE',
      `${label}: the callable is a ${typeof callable}, not a (req, res) function, an http.Server, a { fetch } app or a Koa app`,
    );
  }
  return { ...app, source: label };
}

/**
 * A CommonJS app is loaded with require(), shaped like the namespace import() would give. Only
 * an ES module goes through import(): the ESM loader costs ~0.5 MB in every worker process.
 */
function requireCommonJs(specifier: string): Record<string, unknown> | undefined {
  const file = fileURLToPath(specifier);
  if (file.endsWith('.mjs')) return undefined;
  let exported: unknown;
  try {
    exported = localRequire(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM') return undefined;
    throw err;
  }
  const named = exported !== null && (typeof exported === 'object' || typeof exported === 'function') ? { ...(exported as object) } : {};
  return { ...named, default: exported };
}

const localRequire = createRequire(__filename);

function resolveModule(src: AppSource): { specifier: string; label: string } {
  if (src.appFile !== undefined) {
    return { specifier: pathToFileURL(src.appFile).href, label: src.appFile };
  }
  if (src.appPackage !== undefined) {
    try {
      const resolved = createRequire(path.join(src.baseDir, 'index.js')).resolve(src.appPackage);
      return { specifier: pathToFileURL(resolved).href, label: src.appPackage };
    } catch (err) {
      throw new TsuwsgiError('E_APP_LOAD', `${src.appPackage}: cannot resolve the app package from ${src.baseDir}: ${describe(err)}`);
    }
  }
  throw new TsuwsgiError('E_APP_LOAD', 'no app module configured');
}

/** `callable` if named; else `application`, then the default export, then the module itself. */
function pickCallable(ns: Record<string, unknown>, name: string | undefined): unknown {
  const def = ns.default as Record<string, unknown> | undefined;
  if (name !== undefined) {
    if (ns[name] !== undefined) return ns[name];
    return def !== null && (typeof def === 'object' || typeof def === 'function') ? def[name] : undefined;
  }
  if (ns.application !== undefined) return ns.application;
  if (def !== null && (typeof def === 'object' || typeof def === 'function') && def.application !== undefined) {
    return def.application;
  }
  if (def !== undefined && def !== null) return def;
  return typeof ns.fetch === 'function' ? ns : undefined;
}

function toListener(c: unknown): Omit<LoadedApp, 'source'> | undefined {
  if (typeof c === 'function') return { listener: c as NodeListener, kind: 'node' };
  if (typeof c !== 'object' || c === null) return undefined;
  if (isNodeServer(c)) return { listener: serverListener(c), kind: 'server', server: c };
  const obj = c as Record<string, unknown>;
  if (typeof obj.fetch === 'function') {
    const listener = fetchToNodeListener(obj as unknown as FetchApp);
    return obj.websocket === undefined ? { listener, kind: 'fetch' } : { listener, kind: 'fetch', unserved: BUN_WEBSOCKET };
  }
  // A Koa app instance: its request listener is app.callback().
  if (typeof obj.callback === 'function' && typeof obj.use === 'function') {
    return { listener: (obj.callback as () => NodeListener).call(obj), kind: 'koa' };
  }
  return undefined;
}

/**
 * Bun's `{ fetch, websocket }` (Hono's `hono/bun` adapter): its WebSocket half needs Bun's
 * `server.upgrade()` and ServerWebSocket, which tsuwsgi does not emulate (design-notes.md,
 * "WebSockets"); the fetch half is served, and the module is told what works instead.
 */
const BUN_WEBSOCKET =
  'the app exports websocket handlers in Bun\'s shape ({ fetch, websocket }), which tsuwsgi does not run: ' +
  'export an http.Server with a WebSocket library on it instead (README: WebSockets)';

function describe(err: unknown): string {
  if (err instanceof Error) {
    const where = firstFrame(err.stack);
    return `${err.name}: ${err.message.split('\n')[0]}${where ? ` (${where})` : ''}`;
  }
  return String(err);
}

function firstFrame(stack: string | undefined): string | undefined {
  const line = stack?.split('\n').find((l) => l.trimStart().startsWith('at '));
  return line?.trim().replace(/^at /, '');
}
