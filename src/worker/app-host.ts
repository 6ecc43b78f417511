/**
 * One app thread's life: load the app, accept on this thread's fds, drain on stop. Runs in
 * the worker's main thread when threads = 1 (no extra hop) and in each worker_thread otherwise.
 */
import type { LogHandle } from '../shared/logger';
import type { ThreadData } from '../shared/ipc';
import { loadApp } from '../app/load';
import type { NodeListener } from '../app/types';
import { listenAll, type Listening } from '../server/listeners';
import type { ServeContext } from '../server/context';
import { threadReport } from '../server/thread-report';
import type { ThreadReport } from '../shared/ipc';
import { isTsuwsgiError } from '../shared/errors';
import { compileLogFormat } from '../shared/log-format';
import { startTracking } from './harakiri/track';
import { CoreSlots } from './stats/core-slots';
import { afterRequestCheck, recycleLimits, type AskRecycle } from './recycle-limits';
import { onLateWrite } from '../server/response';

export interface AppHost extends Listening {
  report(): ThreadReport;
}

export async function startAppHost(
  data: ThreadData,
  logs: LogHandle,
  askRecycle: AskRecycle,
): Promise<AppHost> {
  const log = logs.logger;
  const { config } = data;
  let listener: NodeListener;
  try {
    const app = await loadApp(config);
    listener = app.listener;
    if (data.threadIndex === 0) log.info({ event: 'app-loaded', app: app.source, kind: app.kind }, 'app loaded');
  } catch (err) {
    if (config.needApp || !isTsuwsgiError(err)) throw err;
    // need-app = false: serve anyway and say so on every request, as uWSGI's "dynamic mode".
    log.error({ event: 'app-load-failed', code: err.code }, err.message);
    listener = noApp;
  }
  // A late write is an app bug worth one line, never a crash (server/response.ts).
  onLateWrite((res, call) =>
    log.warn(
      { event: 'late-write', method: res.req.method, uri: res.req.url, call, thread: data.threadIndex },
      `the app called ${call} after the response was ended; ignored`,
    ),
  );
  const stats = statsFor(data);
  const ctx: ServeContext = {
    listener,
    bufferSize: config.bufferSize,
    limitPost: config.limitPost,
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
    threadField: config.threads > 1 ? '' : `,"thread":${data.threadIndex}`,
    workerId: data.workerId,
    threadIndex: data.threadIndex,
    afterRequest: afterRequestFor(data, askRecycle),
    harakiri:
      data.harakiriSlots === undefined
        ? undefined
        : startTracking(data.harakiriSlots, data.threadIndex, config.harakiri, log, data.workerId, () => stats?.harakiri(data.threadIndex)),
    stats,
    live: { requests: 0, last: undefined, lastStart: 0 },
    connections: new Set(),
  };
  const listening = await listenAll(data.fds, ctx, config.listen);
  return { ...listening, report: () => threadReport(ctx) };
}

const noApp: NodeListener = (_req, res) => {
  const body = 'Service Unavailable: no app loaded\n';
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

function statsFor(data: ThreadData): CoreSlots | undefined {
  if (data.statsSlots === undefined) return undefined;
  const slots = new CoreSlots(data.statsSlots, data.config.statsVars);
  slots.idle(data.threadIndex);
  return slots;
}

function afterRequestFor(data: ThreadData, ask: AskRecycle): (() => void) | undefined {
  const limits = recycleLimits(data.config, data.workerId);
  if (limits === undefined || data.requestCounter === undefined) return undefined;
  return afterRequestCheck(new Int32Array(data.requestCounter), limits, ask);
}
