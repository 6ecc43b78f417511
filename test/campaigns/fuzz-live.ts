/**
 * `npm run fuzz:live`: random and mutated uwsgi packets (from the captured nginx ones) and HTTP
 * requests against a live server (2 processes × 2 threads; a uwsgi unix socket, a uwsgi TCP
 * socket, an http-socket; buffer-size 4096, limit-post 65536, harakiri 5), with random splits,
 * pauses, half-closes, resets and body lengths. After every batch: same master and worker pids,
 * no thread died, a good request answered 200 on each socket kind.
 *
 *   npm run fuzz:live -- [--seed N] [--inputs 100000] [--seconds 900] [--batch 1000] [--concurrency 48]
 *   npm run fuzz:live -- --replay FILE     (a saved batch, one case at a time: finds the culprit)
 *
 * A failing batch is saved under test/fixtures/live-found/. Exit 1 on any violation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { toHexJson } from './hex-json';
import { findCulprit, loadBatch, runCampaign } from './live/campaign';
import { startLiveServer, type LiveServer } from './live/health';
import { REPO, killAllServers } from '../support/server';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string' },
    inputs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '900' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '48' },
    replay: { type: 'string' },
  },
});

const SAVE_DIR = path.join(REPO, 'test', 'fixtures', 'live-found');

function table(title: string, m: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [k, n] of [...m].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`  ${k.padEnd(40)} ${String(n).padStart(8)}`);
}

async function fuzz(live: LiveServer): Promise<number> {
  const seed = args.seed === undefined ? (Math.random() * 2 ** 31) >>> 0 : Number(args.seed) >>> 0;
  console.log(`live fuzz: seed ${seed} (replay: npm run fuzz:live -- --seed ${seed}); master ${live.masterPid}, workers ${live.workers.join(', ')}`);
  const r = await runCampaign(live, {
    seed, inputs: Number(args.inputs), seconds: Number(args.seconds), batch: Number(args.batch),
    concurrency: Number(args.concurrency), saveDir: SAVE_DIR, log: (l) => console.log(l),
  });
  table('answers (target, first bytes of the reply)', r.answers);
  table('how connections ended', r.ends);
  table('server log events', r.events);
  console.log(`\ntotal: ${r.inputs} inputs in ${r.batches} batches, ${r.seconds.toFixed(1)} s (${Math.round(r.inputs / r.seconds)}/s), ` +
    `seed ${seed}, ${r.violation ? 'VIOLATION' : '0 crashes, master and workers unchanged'}`);
  if (!r.violation) return 0;
  console.log(`\nbatch ${r.violation.batch} broke the server:\n  ${r.violation.problems.join('\n  ')}\n` +
    `cases saved to ${r.violation.savedTo}\nfind the culprit: npm run fuzz:live -- --replay ${r.violation.savedTo}`);
  return 1;
}

async function replay(live: LiveServer, file: string): Promise<number> {
  const saved = loadBatch(file);
  console.log(`replaying ${saved.cases.length} cases of seed ${saved.seed} batch ${saved.batch} one by one`);
  const culprit = await findCulprit(live, saved.cases, (l) => console.log(l));
  if (culprit === undefined) {
    console.log('no single case broke the server on its own (an interaction of concurrent cases, or timing)');
    return 1;
  }
  const out = path.join(SAVE_DIR, `live-case-seed${saved.seed}-batch${saved.batch}-case${culprit.index}.json`);
  fs.mkdirSync(SAVE_DIR, { recursive: true });
  fs.writeFileSync(out, toHexJson({ seed: saved.seed, batch: saved.batch, problems: culprit.problems, cases: [saved.cases[culprit.index]] }));
  console.log(`case ${culprit.index} breaks the server:\n  ${culprit.problems.join('\n  ')}\nsaved to ${out}`);
  return 1;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-fuzz-live-'));
  let live: LiveServer | undefined;
  try {
    live = await startLiveServer(dir);
    process.exitCode = args.replay === undefined ? await fuzz(live) : await replay(live, args.replay);
  } finally {
    if (live) await live.server.stop('SIGTERM', 10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// An uncaught error still stops the server (by pid) on the way out.
process.on('uncaughtException', (err) => {
  console.error(err);
  void killAllServers().finally(() => process.exit(2));
});

void main();
