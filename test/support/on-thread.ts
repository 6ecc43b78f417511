/**
 * Which app thread accepts a connection cannot be chosen from outside (every thread of a worker
 * polls the same listening socket), so tests that need a request on one particular thread keep
 * sending it until SIGUSR1's report shows it in flight there.
 */
import { request, type Reply } from './http';
import type { ServerProcess } from './server';
import { sleep, waitUntil } from './wait';

/** A reply, or the error that ended the request (kept, not thrown: the caller asserts on it). */
export type Outcome = Reply | Error;

interface InFlight {
  thread: number;
  request: string;
}

/**
 * Sends GET `uri` (one at a time, every ~150 ms) until SIGUSR1's report shows one in flight on
 * app thread `thread`. Returns every request sent, in order; one of them is on that thread.
 */
export async function untilOnThread(server: ServerProcess, base: string, uri: string, thread: number, timeoutMs = 20_000): Promise<Promise<Outcome>[]> {
  const sent: Promise<Outcome>[] = [];
  const seen = server.events('worker-state').length;
  await waitUntil(`${uri} in flight on app thread ${thread}`, async () => {
    if (server.exit) throw new Error(`server exited (${JSON.stringify(server.exit)})`);
    sent.push(request(`${base}${uri}`, { timeoutMs: 60_000 }).then((r) => r, (err: Error) => err));
    await sleep(100);
    server.child.kill('SIGUSR1');
    await sleep(50);
    return server.events('worker-state').slice(seen).some((l) => (l.current as InFlight[]).some((c) => c.thread === thread && c.request.includes(uri)));
  }, timeoutMs, 0);
  return sent;
}

/** threadsRunning from the next SIGUSR1 report of the (only) worker. */
export async function threadsRunning(server: ServerProcess): Promise<number> {
  const seen = server.events('worker-state').length;
  server.child.kill('SIGUSR1');
  const line = await waitUntil('a worker-state line', () => server.events('worker-state')[seen], 5_000);
  return line.threadsRunning as number;
}
