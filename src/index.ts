/**
 * tsuwsgi's public surface for app authors and tools. Everything else is internal.
 * @module tsuwsgi
 */
export type { NodeListener, FetchApp, AppCallable } from './app/types';
export type { Config, SocketAddress } from './shared/config';
export { ErrorCodes, TsuwsgiError, isTsuwsgiError } from './shared/errors';
export type { ErrorCode } from './shared/errors';
export { ExitCode } from './shared/exit-codes';
export type { ExitCodeName } from './shared/exit-codes';
export type { StatsDocument, StatsWorker, StatsCore, StatsSocket, StatsApp, WorkerStatus } from './shared/stats-document';
export { mules } from './shared/mules/api';
export type { Mules, MuleContext, MuleFunction } from './shared/mules/api';
