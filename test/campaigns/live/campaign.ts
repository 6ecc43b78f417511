/**
 * The live fuzz loop, shared by `npm run fuzz:live` and the short e2e run: batches of cases
 * played `concurrency` at a time against one server, a health check after every batch, and on
 * the first violation the batch's cases saved to a file (replayable one by one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { toHexJson, fromHexJson } from '../hex-json';
import { batchCases, type LiveCase } from './cases';
import { runCase, type Outcome } from './client';
import { checkHealth, LogTail, type LiveServer } from './health';

export interface CampaignOptions {
  seed: number;
  /** Stop after this many inputs... */
  inputs: number;
  /** ...or this many seconds, whichever comes first. */
  seconds: number;
  batch: number;
  concurrency: number;
  /** Where a failing batch is written. */
  saveDir: string;
  log?: (line: string) => void;
}

export interface CampaignResult {
  inputs: number;
  batches: number;
  seconds: number;
  /** "target answer" → count, e.g. "unix HTTP 400". */
  answers: Map<string, number>;
  ends: Map<string, number>;
  /** Server log events seen, summed over the batches. */
  events: Map<string, number>;
  violation?: { batch: number; problems: string[]; savedTo: string };
}

export interface SavedBatch {
  seed: number;
  batch: number;
  problems: string[];
  cases: LiveCase[];
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** Runs `cases` with at most `concurrency` connections open at once. */
export async function playAll(cases: readonly LiveCase[], live: LiveServer, concurrency: number): Promise<Outcome[]> {
  const out: Outcome[] = new Array(cases.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await runCase(cases[i]!, live.to);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, lane));
  return out;
}

export async function runCampaign(live: LiveServer, o: CampaignOptions): Promise<CampaignResult> {
  const say = o.log ?? (() => undefined);
  const r: CampaignResult = { inputs: 0, batches: 0, seconds: 0, answers: new Map(), ends: new Map(), events: new Map() };
  const tail = new LogTail(live.logFile);
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  for (let batch = 0; r.inputs < o.inputs && Date.now() < deadline; batch++) {
    const cases = batchCases((o.seed + batch) | 0, Math.min(o.batch, o.inputs - r.inputs));
    const outcomes = await playAll(cases, live, o.concurrency);
    cases.forEach((c, i) => {
      bump(r.answers, `${c.target} ${outcomes[i]!.answer}`);
      bump(r.ends, `${c.target} ${outcomes[i]!.end}`);
    });
    r.inputs += cases.length;
    r.batches++;
    const health = await checkHealth(live, tail);
    for (const [e, n] of health.events) bump(r.events, e, n);
    const s = (Date.now() - started) / 1000;
    say(`  batch ${batch}: ${r.inputs} inputs in ${s.toFixed(0)} s (${Math.round(r.inputs / s)}/s)${health.problems.length ? ' VIOLATION' : ', server healthy'}`);
    if (health.problems.length > 0) {
      fs.mkdirSync(o.saveDir, { recursive: true });
      const savedTo = path.join(o.saveDir, `live-batch-seed${o.seed}-batch${batch}.json`);
      fs.writeFileSync(savedTo, toHexJson({ seed: o.seed, batch, problems: health.problems, cases } satisfies SavedBatch));
      r.violation = { batch, problems: health.problems, savedTo };
      break;
    }
  }
  r.seconds = (Date.now() - started) / 1000;
  return r;
}

export function loadBatch(file: string): SavedBatch {
  return fromHexJson<SavedBatch>(fs.readFileSync(file, 'utf8'));
}

/** Plays a saved batch one case at a time; the first case after which the server is unhealthy. */
export async function findCulprit(live: LiveServer, cases: readonly LiveCase[], say: (l: string) => void): Promise<{ index: number; problems: string[] } | undefined> {
  const tail = new LogTail(live.logFile);
  tail.read();
  for (let i = 0; i < cases.length; i++) {
    await runCase(cases[i]!, live.to);
    // Let a crash be logged and reaped before looking.
    await new Promise((res) => setTimeout(res, 50));
    const health = await checkHealth(live, tail);
    if (health.problems.length > 0) return { index: i, problems: health.problems };
    if (i % 100 === 99) say(`  replayed ${i + 1} of ${cases.length}: healthy`);
  }
  return undefined;
}
