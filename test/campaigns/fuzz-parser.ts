/**
 * `npm run fuzz`: the protocol properties (parser/properties.ts) for a million inputs or more.
 *
 *   npm run fuzz -- [--seed N] [--count 1000000] [--seconds 900] [--batch 5000]
 *                   [--property NAME] [--from-batch B]
 *
 * Work goes in batches; batch b runs property b mod P with fast-check seed `seed + b`, so a run
 * is the same for a given seed however long it lasts, and `--seed N --from-batch B` jumps to the
 * batch that failed. A failing input (shrunk by fast-check) is written to
 * test/fixtures/packets/found/, where a unit test replays it. Exit 1 when anything failed.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { PROPERTIES, type Property } from './parser/properties';
import { saveFound } from './parser/found';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '900' },
    batch: { type: 'string', default: '5000' },
    property: { type: 'string', multiple: true },
    'from-batch': { type: 'string', default: '0' },
  },
});

const seed = args.seed === undefined ? (Math.random() * 2 ** 31) >>> 0 : Number(args.seed) >>> 0;
const count = Number(args.count);
const deadline = Date.now() + Number(args.seconds) * 1000;
const batchSize = Number(args.batch);
const selected = args.property ?? [];
const properties = PROPERTIES.filter((p) => selected.length === 0 || selected.includes(p.name));
if (properties.length === 0) throw new Error(`no property named ${selected.join(', ')}: ${PROPERTIES.map((p) => p.name).join(', ')}`);

interface Tally { inputs: number; ms: number; outcomes: Map<string, number>; failed: boolean }
const tallies = new Map<string, Tally>(properties.map((p) => [p.name, { inputs: 0, ms: 0, outcomes: new Map(), failed: false }]));
const failures: string[] = [];

function runBatch(p: Property<unknown>, batch: number): void {
  const tally = tallies.get(p.name)!;
  const batchSeed = (seed + batch) | 0;
  const started = performance.now();
  const details = fc.check(
    fc.property(p.arbitrary, (input) => {
      if (p.classify !== undefined) {
        const o = p.classify(input);
        tally.outcomes.set(o, (tally.outcomes.get(o) ?? 0) + 1);
      }
      p.check(input);
    }),
    { seed: batchSeed, numRuns: batchSize },
  );
  tally.ms += performance.now() - started;
  tally.inputs += details.numRuns;
  if (!details.failed) return;
  tally.failed = true;
  const input = details.counterexample?.[0];
  const how = `seed ${seed} batch ${batch} (fast-check seed ${batchSeed} path ${details.counterexamplePath})`;
  const error = String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance).split('\n')[0];
  const file = saveFound({ property: p.name, found: `${how}: ${error}`, input });
  failures.push(`${p.name}: ${error}\n    input saved to ${file}\n    replay: npm run fuzz -- --seed ${seed} --from-batch ${batch} --property ${p.name}`);
  console.log(`FAILED ${p.name} in batch ${batch}: ${error}`);
}

function total(): number {
  let n = 0;
  for (const t of tallies.values()) n += t.inputs;
  return n;
}

const started = Date.now();
console.log(`parser fuzz: seed ${seed} (replay: npm run fuzz -- --seed ${seed}), ${properties.length} properties, target ${count} inputs, at most ${args.seconds} s`);
let lastPrint = started;
for (let batch = Number(args['from-batch']); total() < count && Date.now() < deadline; batch++) {
  const p = properties[batch % properties.length]!;
  if (tallies.get(p.name)!.failed) {
    if ([...tallies.values()].every((t) => t.failed)) break;
    continue;
  }
  runBatch(p, batch);
  if (Date.now() - lastPrint >= 5000) {
    lastPrint = Date.now();
    const s = (lastPrint - started) / 1000;
    console.log(`  ${total().toLocaleString('en')} inputs in ${s.toFixed(0)} s (${Math.round(total() / s).toLocaleString('en')}/s), batch ${batch}`);
  }
}

const seconds = (Date.now() - started) / 1000;
console.log(`\n${'property'.padEnd(20)} ${'inputs'.padStart(10)} ${'inputs/s'.padStart(9)}  result`);
for (const p of properties) {
  const t = tallies.get(p.name)!;
  const rate = t.ms > 0 ? Math.round((t.inputs * 1000) / t.ms) : 0;
  console.log(`${p.name.padEnd(20)} ${String(t.inputs).padStart(10)} ${String(rate).padStart(9)}  ${t.failed ? 'FAILED' : 'ok'}`);
  if (t.outcomes.size > 0) {
    console.log(`${''.padEnd(22)}outcomes: ${[...t.outcomes].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', ')}`);
  }
}
console.log(`total: ${total().toLocaleString('en')} inputs in ${seconds.toFixed(1)} s (${Math.round(total() / seconds).toLocaleString('en')}/s), ${failures.length} failing properties, seed ${seed}`);
for (const f of failures) console.log(`\n${f}`);
process.exitCode = failures.length > 0 ? 1 : 0;
