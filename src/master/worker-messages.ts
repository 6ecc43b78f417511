/**
 * A worker's messages are untrusted input: with threads = 1 the app runs in the worker's main
 * thread and can call process.send() with anything. Each message is checked against the shape
 * its `act` promises before the master turns it into an event; whatever does not fit is
 * refused with a reason for the log. Bounds come from the worker's own thread count, so a
 * message cannot make the master allocate, loop or log in proportion to what the app chose.
 */
import { RECYCLE_REASONS, type ThreadReport, type WorkerToMaster } from '../shared/ipc';
import { LATENCY_BUCKETS_S, type CoreFigures } from '../shared/stats-figures';
import { ErrorCodes } from '../shared/errors';
import { checkMuleSend } from './mules/mule-messages';

export type Checked = { readonly ok: true; readonly message: WorkerToMaster } | { readonly ok: false; readonly why: string };

/** Longer texts are refused: the master logs them (request labels are cut at 256 bytes). */
const MAX_TEXT = 4096;
/** An app's load error can quote source and a long module path. */
const MAX_LOAD_ERROR = 64 * 1024;

type Obj = Record<string, unknown>;

/** `threads`: the thread count the worker was started with. */
export function checkWorkerMessage(m: unknown, threads: number): Checked {
  if (!isObject(m)) return refuse(`not an object (${m === null ? 'null' : Array.isArray(m) ? 'array' : typeof m})`);
  const act = m.act;
  if (typeof act !== 'string') return refuse('no act');
  const why = checkByAct(act, m, threads);
  return why === undefined ? { ok: true, message: m as unknown as WorkerToMaster } : refuse(`${printable(act)}: ${why}`);
}

function checkByAct(act: string, m: Obj, threads: number): string | undefined {
  switch (act) {
    case 'ready':
      return undefined;
    case 'need-sockets':
      // Only a worker with app threads replaces one; thread 0 included.
      return threads > 1 && isIndex(m.thread, threads) ? undefined : `thread must be 0..${threads - 1} (threads > 1)`;
    case 'report':
      if (!isCount(m.rssBytes)) return 'rssBytes must be a number';
      return isListOf(m.threads, threads, (t) => isThreadReport(t, threads)) ? undefined : `threads must be at most ${threads} thread reports`;
    case 'stats':
      if (!isCount(m.round) || !Number.isInteger(m.round)) return 'round must be an integer';
      return isListOf(m.cores, threads, isCoreFigures) ? undefined : `cores must be at most ${threads} sets of figures`;
    case 'load':
      if (!isCount(m.round) || !Number.isInteger(m.round)) return 'round must be an integer';
      return isCount(m.busyMicros) && typeof m.busy === 'boolean' ? undefined : 'busyMicros must be a number and busy a boolean';
    case 'recycle':
      if (!(RECYCLE_REASONS as readonly unknown[]).includes(m.reason)) return `reason must be one of ${RECYCLE_REASONS.join(', ')}`;
      return isObject(m.detail) && Object.keys(m.detail).length <= 8 && Object.values(m.detail).every(isFiniteNumber) ? undefined : 'detail must hold a few numbers';
    case 'app-load-failed':
      if (typeof m.code !== 'string' || !(m.code in ErrorCodes)) return 'code must be an error code';
      return isText(m.message, MAX_LOAD_ERROR) ? undefined : 'message must be a string';
    case 'mule-msg':
      return isIndex(m.thread, threads) ? checkMuleSend(m) : `thread must be 0..${threads - 1}`;
    default:
      return 'unknown act';
  }
}

function isThreadReport(t: unknown, threads: number): t is ThreadReport {
  if (!isObject(t) || !isIndex(t.thread, threads) || typeof t.answered !== 'boolean' || typeof t.running !== 'boolean') return false;
  if (t.requests !== undefined && !isCount(t.requests)) return false;
  if (t.connections !== undefined && !isCount(t.connections)) return false;
  if (t.upgraded !== undefined && !isCount(t.upgraded)) return false;
  return t.current === undefined || (isObject(t.current) && isText(t.current.request) && isFiniteNumber(t.current.ms));
}

const COUNTERS = ['requests', 'exceptions', 'txBytes', 'responseMicros', 'readErrors', 'writeErrors', 'harakiri', 'inFlight', 'upgraded'] as const;

function isCoreFigures(c: unknown): c is CoreFigures {
  if (!isObject(c) || !COUNTERS.every((k) => isCount(c[k]))) return false;
  if (!isNumbers(c.statusClasses, 5) || !isNumbers(c.latencyBuckets, LATENCY_BUCKETS_S.length + 1)) return false;
  const cur = c.current;
  return cur === undefined || (isObject(cur) && isFiniteNumber(cur.startMs) && isText(cur.method) && isText(cur.uri) && isCount(cur.vars));
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isCount(v: unknown): v is number {
  return isFiniteNumber(v) && v >= 0;
}

function isIndex(v: unknown, length: number): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) < length;
}

function isText(v: unknown, max = MAX_TEXT): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isNumbers(v: unknown, length: number): boolean {
  return Array.isArray(v) && v.length === length && v.every(isCount);
}

function isListOf(v: unknown, max: number, each: (x: unknown) => boolean): boolean {
  return Array.isArray(v) && v.length <= max && v.every(each);
}

function refuse(why: string): Checked {
  return { ok: false, why };
}

/** An act as the app sent it, safe to put in a log line. */
function printable(act: string): string {
  return JSON.stringify(act.length > 40 ? `${act.slice(0, 40)}…` : act);
}
