/** One app thread's state from its live figures (for SIGUSR1 / fifo s). */
import { performance } from 'node:perf_hooks';
import type { ServerResponse } from 'node:http';
import type { ServeContext } from './context';
import type { ThreadReport } from '../shared/ipc';

export function threadReport(ctx: ServeContext): ThreadReport {
  const { live } = ctx;
  const last: ServerResponse | undefined = live.last;
  const running = last !== undefined && !last.writableFinished && !last.destroyed;
  return {
    thread: ctx.threadIndex,
    answered: true,
    requests: live.requests,
    connections: ctx.connections.size,
    ...(running ? { current: { request: `${last.req.method} ${last.req.url}`, ms: Math.round(performance.now() - live.lastStart) } } : {}),
  };
}
