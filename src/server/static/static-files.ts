/**
 * Static files before the app, uWSGI's static-map family (core/protocol.c, core/static.c), one
 * instance per app thread. `claims` runs for every request and only compares strings (method,
 * path prefixes): a request no mount prefixes costs no system call. `serve` then looks the
 * claimed path up, in uWSGI's order (static-check dirs, static-map, static-map2), and answers
 * the first file found through @fastify/send; a miss is the app's, as in uWSGI.
 *
 * Never a path outside the mapped directory: `..` is refused before the file system is asked
 * (path-rules.ts), and what the file system resolves to (symlinks included) must still be
 * inside the directory's real path, or inside a static-safe one.
 */
import fs from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, type SendOptions, type SendResult } from '@fastify/send';
import type { StaticFilesConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { LogRateLimit } from '../../shared/log-rate-limit';
import { ExpiresRules } from './expires';
import { isInside, mountIndex, skipped, underRoot } from './path-rules';
import { requestPath } from './request-path';
import { writeResult } from './send-result';

/** A configured directory (or file), its real path found once (retried while it is missing). */
interface Root {
  readonly dir: string;
  real: string | undefined;
  isFile: boolean;
}

interface Mount {
  readonly root: Root;
  /** static-map2: the whole PATH_INFO goes under the root, not what follows the mountpoint. */
  readonly whole: boolean;
}

/**
 * Bytes per read of a file being sent: each read is a hop to libuv's thread pool and back, so
 * 256 KiB (4 reads for 1 MiB) rather than the stream default of 64 KiB; held per download.
 */
const READ_CHUNK = 256 * 1024;

// Headers and semantics: uWSGI sends no Cache-Control (Expires comes from static-expires*),
// serves dotfiles, and looks for the index itself (static-index, no redirect).
const SEND_OPTIONS: SendOptions = Object.freeze({ dotfiles: 'allow', index: false, cacheControl: false, highWaterMark: READ_CHUNK });

export class StaticFiles {
  private readonly checks: readonly Root[];
  private readonly prefixes: readonly string[];
  private readonly mounts: readonly Mount[];
  private readonly index: readonly string[];
  private readonly safe: readonly string[];
  private readonly skipExt: readonly string[];
  private readonly expires: ExpiresRules | undefined;
  private readonly outsideLog = new LogRateLimit();

  constructor(config: StaticFilesConfig, private readonly log: Logger) {
    this.checks = config.staticCheck.map((dir) => root(dir, log));
    const mounts = [...config.staticMap.map((m) => ({ m, whole: false })), ...config.staticMap2.map((m) => ({ m, whole: true }))];
    this.prefixes = mounts.map(({ m }) => m.mount);
    this.mounts = mounts.map(({ m, whole }) => ({ root: root(m.dir, log), whole }));
    this.index = config.staticIndex;
    this.safe = config.staticSafe.map(realOrSelf);
    this.skipExt = config.staticSkipExt;
    const expires = new ExpiresRules(config);
    this.expires = expires.empty ? undefined : expires;
  }

  /** The path to look up when this request may be a static file; undefined: straight to the app. */
  claims(req: IncomingMessage): string | undefined {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const path = requestPath(req);
    if (path === undefined) return undefined;
    if (this.checks.length === 0 && mountIndex(path, this.prefixes) === -1) return undefined;
    return skipped(path, this.skipExt) ? undefined : path;
  }

  /** True when answered (a file, or an answer about one: 304, 412, 416, 403); false: the app's. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    for (const check of this.checks) if (await this.tryRoot(req, res, path, check, path)) return true;
    for (let i = mountIndex(path, this.prefixes); i !== -1; i = mountIndex(path, this.prefixes, i + 1)) {
      const { root: mounted, whole } = this.mounts[i];
      if (await this.tryRoot(req, res, path, mounted, whole ? path : path.slice(this.prefixes[i].length))) return true;
    }
    return false;
  }

  private async tryRoot(req: IncomingMessage, res: ServerResponse, pathInfo: string, at: Root, rest: string): Promise<boolean> {
    const top = await realRoot(at);
    if (top === undefined) return false;
    // A mount onto one file serves that file for every path under the mountpoint.
    if (at.isFile) return this.trySend(req, res, pathInfo, top, top);
    const candidate = underRoot(top, rest);
    if (candidate === undefined) return false;
    const real = await this.inside(candidate, top);
    return real !== undefined && this.trySend(req, res, pathInfo, real, top);
  }

  private async trySend(req: IncomingMessage, res: ServerResponse, pathInfo: string, real: string, top: string): Promise<boolean> {
    const result = await send(req, forSend(real), SEND_OPTIONS);
    if (result.type === 'directory') return this.tryIndex(req, res, pathInfo, real, top);
    return this.answer(req, res, pathInfo, result);
  }

  private async tryIndex(req: IncomingMessage, res: ServerResponse, pathInfo: string, dir: string, top: string): Promise<boolean> {
    for (const name of this.index) {
      const real = await this.inside(`${dir}/${name}`, top);
      if (real === undefined) continue;
      const result = await send(req, forSend(real), SEND_OPTIONS);
      if (result.type !== 'directory' && this.answer(req, res, pathInfo, result)) return true;
    }
    return false;
  }

  /** A 404 from send (the file went away since realpath) is a miss, as in uWSGI. */
  private answer(req: IncomingMessage, res: ServerResponse, pathInfo: string, result: SendResult): boolean {
    if (result.type === 'error' && result.statusCode === 404) return false;
    let expires: string | undefined;
    if (this.expires !== undefined && result.type === 'file') {
      const type = (result.headers['Content-Type'] ?? '').split(';')[0].trim().toLowerCase();
      const subject = { file: result.metadata.path, pathInfo, uri: req.url ?? '', type, mtimeMs: result.metadata.stat.mtimeMs };
      expires = this.expires.header(subject, Date.now());
    }
    writeResult(req, res, result, expires);
    return true;
  }

  /** The real path of `candidate` when it exists and stays inside `top` or a static-safe dir. */
  private async inside(candidate: string, top: string): Promise<string | undefined> {
    let real: string;
    try {
      // On the event loop, as uWSGI does: realpath(3) of a cached path is a few readlinks, far
      // cheaper than a hop to libuv's thread pool and back (futex wake-ups on both sides).
      real = fs.realpathSync.native(candidate);
    } catch {
      return undefined;
    }
    if (isInside(real, top) || this.safe.some((dir) => isInside(real, dir))) return real;
    const dropped = this.outsideLog.admit();
    if (dropped !== undefined) {
      this.log.warn(
        { event: 'static-outside', path: candidate, resolved: real, dir: top, ...(dropped > 0 ? { dropped } : {}) },
        'a static path resolves outside its directory and no static-safe names the target: not served (the app gets the request)',
      );
    }
    return undefined;
  }
}

/** send() decodes its path as a URL path: a real `%` in a file name must survive that. */
function forSend(real: string): string {
  return real.includes('%') ? real.replaceAll('%', '%25') : real;
}

function root(dir: string, log: Logger): Root {
  const at: Root = { dir, real: undefined, isFile: false };
  try {
    at.real = fs.realpathSync(dir);
    at.isFile = fs.statSync(at.real).isFile();
  } catch (err) {
    at.real = undefined;
    log.warn({ event: 'static-dir-missing', dir, code: (err as NodeJS.ErrnoException).code }, 'a static directory does not exist (yet): looked for again on each request it could serve');
  }
  return at;
}

async function realRoot(at: Root): Promise<string | undefined> {
  if (at.real !== undefined) return at.real;
  try {
    const real = await realpath(at.dir);
    at.isFile = (await stat(real)).isFile();
    at.real = real;
    return real;
  } catch {
    return undefined;
  }
}

function realOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}
