/**
 * Loads the app module once per app thread and finds its callable. CommonJS and ESM are both
 * loaded through import(), which hands CommonJS `module.exports` over as the default export.
 * A TypeScript app (.ts, .mts, .cts) is loaded the same way once typescript.ts has made sure
 * this thread can (Node's own type stripping, or the app's tsx).
 */
import { createRequire } from 'node:module';
import { types } from 'node:util';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';
import type { LoadedApp, NodeListener, FetchApp } from './types';
import { isNodeServer, serverListener } from './node-server';
import { isTypeScriptFile, prepareTypeScript, withoutStripWarning } from './typescript';

export interface AppSource {
  readonly appFile: string | undefined;
  readonly appPackage: string | undefined;
  readonly callable: string | undefined;
  readonly baseDir: string;
}

export async function loadApp(src: AppSource): Promise<LoadedApp> {
  const { ns, label } = await loadNamespace(src, 'E_APP_LOAD', 'the app');
  const callable = await settled(pickCallable(ns, src.callable), `${label}: the app's exported promise rejected`);
  if (callable === undefined) {
    const wanted = src.callable ? `"${src.callable}"` : '"application", a default export or module.exports';
    throw new TsuwsgiError('E_APP_CALLABLE', `${label}: no callable ${wanted} found (exports: ${Object.keys(ns).join(', ') || 'none'})`);
  }
  const app = await toListener(callable, label);
  if (app === undefined) {
    throw new TsuwsgiError(
      'E_APP_CALLABLE',
      `${label}: the callable is a ${typeof callable}, not a (req, res) function, an http.Server, a { fetch } app, a Koa app or a Fastify instance`,
    );
  }
  return { ...app, source: label };
}

/** The module's namespace (a mule's module too: mule/load-mule.ts); `what` names it in errors. */
export async function loadNamespace(src: AppSource, code: 'E_APP_LOAD' | 'E_MULE_LOAD', what: string): Promise<{ ns: Record<string, unknown>; label: string }> {
  const { specifier, label } = resolveModule(src, code);
  const file = fileURLToPath(specifier);
  try {
    return { ns: isTypeScriptFile(file) ? await loadTypeScript(file, specifier) : await loadModule(file, specifier), label };
  } catch (err) {
    if (err instanceof TsuwsgiError) throw err;
    throw new TsuwsgiError(code, `${label}: cannot load ${what}: ${describe(err)}${typeScriptHint(err)}`);
  }
}

async function loadModule(file: string, specifier: string): Promise<Record<string, unknown>> {
  return requireCommonJs(file) ?? ((await import(specifier)) as Record<string, unknown>);
}

async function loadTypeScript(file: string, specifier: string): Promise<Record<string, unknown>> {
  await prepareTypeScript(file);
  return withoutStripWarning(() => loadModule(file, specifier));
}

/**
 * A CommonJS app is loaded with require(), shaped like the namespace import() would give. Only
 * an ES module goes through import(): the ESM loader costs ~0.5 MB in every worker process.
 * Where require() loads ES modules itself (Node 20.19+, 22.12+) it returns their namespace;
 * one with top-level await it refuses (ERR_REQUIRE_ASYNC_MODULE), and import() loads it.
 */
function requireCommonJs(file: string): Record<string, unknown> | undefined {
  if (file.endsWith('.mjs') || file.endsWith('.mts')) return undefined;
  let exported: unknown;
  try {
    exported = localRequire(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return undefined;
    throw err;
  }
  return asNamespace(exported);
}

/**
 * `module.exports` as import() would show it. An ES module's namespace (require(esm)) and a
 * module compiled from ESM (`__esModule`: tsc, esbuild, tsx) keep their own default export;
 * any other object is itself the default, its properties the named exports.
 */
export function asNamespace(exported: unknown): Record<string, unknown> {
  if (types.isModuleNamespaceObject(exported)) return exported as Record<string, unknown>;
  const isObject = exported !== null && (typeof exported === 'object' || typeof exported === 'function');
  if (!isObject) return { default: exported };
  const named = { ...(exported as Record<string, unknown>) };
  return (exported as { __esModule?: unknown }).__esModule === true ? named : { ...named, default: exported };
}

const localRequire = createRequire(__filename);

function resolveModule(src: AppSource, code: 'E_APP_LOAD' | 'E_MULE_LOAD'): { specifier: string; label: string } {
  if (src.appFile !== undefined) {
    return { specifier: pathToFileURL(src.appFile).href, label: src.appFile };
  }
  if (src.appPackage !== undefined) {
    try {
      const resolved = createRequire(path.join(src.baseDir, 'index.js')).resolve(src.appPackage);
      return { specifier: pathToFileURL(resolved).href, label: src.appPackage };
    } catch (err) {
      throw new TsuwsgiError(code, `${src.appPackage}: cannot resolve the package from ${src.baseDir}: ${describe(err)}`);
    }
  }
  throw new TsuwsgiError(code, 'no module configured');
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

/**
 * An exported promise is the app once it resolves: what a CommonJS module that must wait for
 * its framework (NestJS's `app.init()`, Next.js's `app.prepare()`) can export, having no
 * top-level await; an ES module awaits at its top level instead.
 */
async function settled(c: unknown, failure: string): Promise<unknown> {
  if (typeof (c as PromiseLike<unknown> | null)?.then !== 'function') return c;
  try {
    return await (c as PromiseLike<unknown>);
  } catch (err) {
    throw new TsuwsgiError('E_APP_LOAD', `${failure}: ${describe(err)}`);
  }
}

async function toListener(c: unknown, label: string): Promise<Omit<LoadedApp, 'source'> | undefined> {
  if (typeof c === 'function') return { listener: c as NodeListener, kind: 'node' };
  if (typeof c !== 'object' || c === null) return undefined;
  if (isNodeServer(c)) return { listener: serverListener(c), kind: 'server', server: c };
  const obj = c as Record<string, unknown>;
  // A Fastify instance: its plugins load in ready(), then routing() serves a (req, res) pair,
  // as fastify.listen() would have it (Fastify's docs name routing for custom servers).
  if (typeof obj.routing === 'function' && typeof obj.ready === 'function') {
    await settled((obj.ready as () => Promise<unknown>).call(obj), `${label}: the Fastify instance's ready() failed`);
    // Its server gets the upgrades (@fastify/websocket attaches there), requests go to routing.
    const server = isNodeServer(obj.server) ? obj.server : undefined;
    return { listener: obj.routing as NodeListener, kind: 'fastify', ...(server === undefined ? {} : { server }) };
  }
  if (typeof obj.fetch === 'function') {
    // Loaded for a fetch app only (with request-url.ts): every other kind never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fetchToNodeListener } = require('./fetch-adapter') as typeof import('./fetch-adapter');
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

/** Node's type stripping refuses what needs code generated; say which flag turns that on. */
function typeScriptHint(err: unknown): string {
  if ((err as NodeJS.ErrnoException | null)?.code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') return '';
  return ' (Node only strips types: enums, namespaces and parameter properties need NODE_OPTIONS=--experimental-transform-types)';
}

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
