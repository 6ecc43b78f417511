/**
 * One app thread's serving life: load the app, take the thread's row of the scoreboard, accept
 * on the thread's fds, drain on stop. Runs on the worker's main thread for app thread 0 when
 * threads-min = 1 (no extra hop) and in each app thread (worker_threads) otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import type { LogHandle } from '../shared/logger';
import type { ThreadData } from '../shared/ipc';
import { loadApp } from '../app/load';
import type { LoadedApp, NodeListener } from '../app/types';
import { listenAll, type Listening } from '../server/listeners';
import { AcceptGate } from '../server/accept-gate';
import { TurnKeeper } from './accept-turn/turn-keeper';
import type { ServeContext } from '../server/context';
import { OpenConnections } from '../server/connections';
import { isTsuwsgiError } from '../shared/errors';
import { compileLogFormat } from '../shared/log-format';
import { onLateWrite } from '../server/response';
import { afterRequestCheck, recycleLimits, type AskRecycle } from './recycle-limits';
import { ThreadRequests } from './request-hooks';
import { IdleGc } from './idle-gc';
import { collectGarbage } from '../shared/full-gc';
import { BEAT_MS } from './scoreboard/layout';
import type { RowWriter } from './scoreboard/row-writer';
import { Scoreboard } from './scoreboard/scoreboard';
import type { StaticFiles } from '../server/static/static-files';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';

export async function serveThread(data: ThreadData, logs: LogHandle, row: RowWriter, askRecycle: AskRecycle): Promise<Listening> {
  const log = logs.logger;
  const { config } = data;
  const { listener, server: appServer } = await loadAppOf(data, logs);
  // A late write is an app bug worth one line, never a crash (server/response.ts).
  onLateWrite((res, call) =>
    log.warn(
      { event: 'late-write', method: res.req.method, uri: res.req.url, call, thread: data.threadIndex },
      `the app called ${call} after the response was ended; ignored`,
    ),
  );
  const requests = requestHooks(data, row, askRecycle);
  const ctx: ServeContext = {
    listener,
    appServer,
    bufferSize: config.bufferSize,
    limitPost: config.limitPost,
    postBuffering:
      config.postBuffering > 0
        ? { threshold: config.postBuffering, bufsize: config.postBufferingBufsize, dir: config.postBufferingDir ?? os.tmpdir() }
        : undefined,
    socketTimeoutMs: config.socketTimeout * 1000,
    requestTimeoutMs: config.httpTimeout * 1000,
    httpKeepalive: config.httpKeepalive,
    log,
    logRequests: !config.disableLogging,
    logOnly:
      config.disableLogging && (config.log4xx || config.log5xx || config.logSlow > 0)
        ? { status4xx: config.log4xx, status5xx: config.log5xx, slowMs: config.logSlow }
        : undefined,
    formatLine: config.logFormat === undefined ? undefined : compileLogFormat(config.logFormat),
    writeText: logs.writeText,
    infoLine: logs.infoLine,
    // An app thread's logger carries its thread index; the worker's main thread's does not.
    threadField: isMainThread ? `,"thread":${data.threadIndex}` : '',
    workerId: data.workerId,
    threadIndex: data.threadIndex,
    requests,
    stats: config.stats !== undefined ? row : undefined,
    connections: new OpenConnections(),
    upgraded: new Set(),
    upgradeMercyMs: upgradeMercyMs(config.workerReloadMercy),
    statics: staticFiles(config, log),
  };
  // This thread takes its row (a predecessor's requests are gone with it) and beats from now on.
  row.reset(Date.now(), ownTid());
  const idle = idleGc(config, requests);
  setInterval(() => {
    const now = Date.now();
    row.beat(now, ctx.connections.size, ctx.upgraded.size);
    idle?.tick(now, requests.count());
  }, BEAT_MS).unref();
  if (config.harakiri > 0) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startSweep } = require('./harakiri/sweep') as typeof import('./harakiri/sweep');
    startSweep(requests, row, { seconds: config.harakiri, workerId: data.workerId, thread: data.threadIndex, log });
  }
  if (data.turn === undefined) return listenAll(data.fds, ctx, config.listen);
  const gate = new AcceptGate();
  const turn = new TurnKeeper(data.turn, data.workerId, gate, () => requests.count());
  const listening = await listenAll(data.fds, ctx, config.listen, gate);
  return {
    drain: () => {
      turn.leave();
      return listening.drain();
    },
  };
}

/** idle-gc: undefined when off. */
function idleGc(config: Config, requests: ThreadRequests): IdleGc | undefined {
  if (config.idleGc <= 0) return undefined;
  const heapSize = (): number => v8.getHeapStatistics().total_physical_size;
  return new IdleGc({ afterMs: config.idleGc * 1000, collect: collectGarbage, heapSize }, requests.count(), Date.now());
}

/** This thread's kernel id ("PID/task/TID"); 0 where /proc is not there. */
function ownTid(): number {
  try {
    return Number(fs.readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

function staticFiles(config: Config, log: Logger): StaticFiles | undefined {
  const any = config.staticMap.length + config.staticMap2.length + config.staticCheck.length > 0;
  if (!any) return undefined;
  // Loaded only when configured: @fastify/send and its dependencies cost every app thread
  // ~1.4 MB of heap (docs/design-notes.md, "Memory").
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { StaticFiles: Files } = require('../server/static/static-files') as typeof import('../server/static/static-files');
  return new Files(config, log);
}

/**
 * The master kills a worker still draining at worker-reload-mercy, counted from when it asked:
 * the thread closes its upgraded connections itself a little sooner, so they end with a close
 * from a running process rather than with it.
 */
export function upgradeMercyMs(mercySeconds: number): number {
  const ms = mercySeconds * 1000;
  return ms - Math.min(1000, ms / 4);
}

async function loadAppOf(data: ThreadData, logs: LogHandle): Promise<Pick<LoadedApp, 'listener' | 'server'>> {
  const { config } = data;
  try {
    const app = await loadApp(config);
    if (data.threadIndex === 0) {
      logs.logger.info({ event: 'app-loaded', app: app.source, kind: app.kind }, 'app loaded');
      if (app.unserved !== undefined) logs.logger.warn({ event: 'app-unserved', app: app.source }, app.unserved);
    }
    return app;
  } catch (err) {
    if (config.needApp || !isTsuwsgiError(err)) throw err;
    // need-app = false: serve anyway and say so on every request, as uWSGI's "dynamic mode".
    logs.logger.error({ event: 'app-load-failed', code: err.code }, err.message);
    return { listener: noApp };
  }
}

const noApp: NodeListener = (_req, res) => {
  const body = 'Service Unavailable: no app loaded\n';
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

function requestHooks(data: ThreadData, row: RowWriter, askRecycle: AskRecycle): ThreadRequests {
  const limits = recycleLimits(data.config, data.workerId);
  return new ThreadRequests(row, {
    stats: data.config.stats !== undefined,
    harakiri: data.config.harakiri > 0,
    busy: data.config.cheaper > 0,
    afterEnd: limits === undefined ? undefined : afterRequestCheck(new Scoreboard(data.board), limits, askRecycle),
  });
}
