/**
 * Each app thread's state for SIGUSR1 / fifo s, read from the scoreboard by the worker's main
 * thread: requests, connections and the oldest request in flight, query string included (the
 * operator's own log gets it, as the request line does). No app thread is asked, so the same
 * code serves threads = 1 and threads > 1, and a blocked thread is still described: it is named
 * as not answering when its heartbeat does not move within ANSWER_MS of the question (a thread
 * whose loop turns beats every BEAT_MS).
 */
import type { ThreadReport } from '../shared/ipc';
import { BEAT_MS } from './scoreboard/layout';
import type { Scoreboard } from './scoreboard/scoreboard';

/** A heartbeat this recent shows a turning event loop without waiting. */
const FRESH_MS = 2.5 * BEAT_MS;
/** How long an older heartbeat gets to move: the time an app thread had to answer a message. */
export const ANSWER_MS = 300;
const POLL_MS = 20;

export async function threadReports(board: Scoreboard, answerMs = ANSWER_MS): Promise<ThreadReport[]> {
  const asked = Date.now();
  const answered = (row: number): boolean => board.beat(row) !== 0 && board.beat(row) >= asked - FRESH_MS;
  const waiting = (): number[] => rows(board).filter((r) => board.beat(r) !== 0 && !answered(r));
  while (waiting().length > 0 && Date.now() - asked < answerMs) await new Promise((r) => setTimeout(r, POLL_MS));
  return rows(board).map((row) => report(board, row, answered(row)));
}

function rows(board: Scoreboard): number[] {
  return Array.from({ length: board.rows }, (_, r) => r);
}

function report(board: Scoreboard, row: number, answered: boolean): ThreadReport {
  const requests = board.started(row);
  if (board.beat(row) === 0) return { thread: row, answered, running: false, requests };
  const oldest = board.oldest(row);
  return {
    thread: row,
    answered,
    running: true,
    requests,
    connections: board.connections(row),
    upgraded: board.upgraded(row),
    ...(oldest === undefined ? {} : { current: { request: `${oldest.method} ${oldest.uri}`, ms: Math.round(oldest.requestMs) } }),
  };
}
