#!/usr/bin/env node
'use strict';
// The benchmark of issue 3: one real nginx in front of uWSGI, a Node cluster and tsuwsgi, driven
// by wrk, in interleaved passes. `npm run bench` builds first; see bench/README.md and --help.
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = require('./lib/args');
const backends = require('./lib/backends');
const cpu = require('./lib/cpu');
const measureLib = require('./lib/measure');
const nginx = require('./lib/nginx');
const paired = require('./lib/paired');
const { runPairedGroup } = require('./lib/paired-run');
const { freePorts } = require('./lib/ports');
const procs = require('./lib/procs');
const { allRows, lackingOptions, withBaseline, withNodeBin, PROCESSES, THREADS, POST_BYTES } = require('./lib/rows');
const { makeStaticFiles } = require('./lib/static-files');
const stats = require('./lib/stats');
const table = require('./lib/table');
const targets = require('./lib/targets');
const timeline = require('./lib/timeline');
const tools = require('./lib/tools');
const { writePostScript } = require('./lib/wrk');

/** @typedef {import('./lib/rows').Row} Row */
/** @typedef {import('./lib/args').Options} Options */
/** @typedef {import('./lib/table').Result} Result */
/** @typedef {import('./lib/stats').Pass} Pass */
/** @typedef {ReturnType<typeof tools.machine> & { tsuwsgi: string | null }} Info */
/** @typedef {Awaited<ReturnType<typeof cpu.backgroundLoad>>} Load */

let stdoutClosed = false;
const log = (/** @type {unknown[]} */ ...a) => {
  if (!stdoutClosed) console.log(...a);
};

/** Other processes' CPU (share of the machine) above which a pass is flagged as disturbed. */
const OTHER_WARN = 0.05;

/** @type {string | null} */
let tempDir = null;

function removeTempDir() {
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  tempDir = null;
}

/** @type {Promise<void> | null} */
let cleaning = null;
/** Stop every process we started (bounded) and remove the temp dir; idempotent. */
function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      await Promise.race([procs.stopAll({ graceMs: 5000 }), procs.sleep(20000)]);
      procs.killAllSync();
      removeTempDir();
    })();
  }
  return cleaning;
}

/** @param {string} signal */
function onSignal(signal) {
  if (cleaning) {
    // A second Ctrl-C: no more waiting.
    procs.killAllSync();
    removeTempDir();
    process.exit(130);
  }
  console.error(`\nbench: ${signal}: stopping everything it started…`);
  void cleanup().finally(() => process.exit(130));
}

/**
 * Give each row its nginx port and its backend address (unix path in the temp dir or a port).
 * @param {Row[]} rows
 * @param {string} dir
 */
async function assignAddresses(rows, dir) {
  const tcp = rows.filter((r) => r.backend.kind !== 'nginx' && r.backend.transport !== 'unix');
  const ports = await freePorts(rows.length + tcp.length);
  rows.forEach((r, i) => {
    r.listen = ports[i];
    if (r.backend.kind === 'nginx') r.addr = null;
    else if (r.backend.transport === 'unix') r.addr = { unix: path.join(dir, `${r.id}.sock`) };
  });
  tcp.forEach((r, i) => {
    r.addr = { host: '127.0.0.1', port: ports[rows.length + i] };
  });
}

/**
 * @param {Info} info
 * @param {Options} opts
 * @param {Row[]} rows
 * @param {Load} load
 */
function header(info, opts, rows, load) {
  const tools_ = [
    info.nginx && `nginx ${info.nginx} (master_process on, worker_processes ${nginx.WORKER_PROCESSES}, access_log off)`,
    info.wrk && info.wrk,
    info.uwsgi && `uWSGI ${info.uwsgi}`,
    info.flask && `Flask ${info.flask}`,
  ].filter(Boolean);
  return [
    `tsuwsgi bench, ${new Date().toISOString()}`,
    `machine: ${info.cores} cores (${info.cpu}), ${info.kernel}, node ${info.node}` +
      (opts.nodeBin ? `; rows ID@nodeN: node ${tools.nodeVersion(opts.nodeBin)} (${opts.nodeBin})` : ''),
    `tools:   ${tools_.join('; ')}`,
    `tsuwsgi: ${info.tsuwsgi || 'unknown commit'} (built by npm run bench)`,
    `load:    ${loadLine(load)}`,
    `wrk:     ${opts.threads} thread(s), ${opts.connections} connections, --latency --timeout 5s, ${opts.warmup} s warm-up + ` +
      `${opts.duration} s measured per row and pass; ${opts.passes} interleaved pass(es): pass 1 runs every row, then pass 2, …`,
    `rows:    processes=${PROCESSES} threads=${THREADS} unless the row says otherwise; the blog's uwsgi.ini settings ` +
      `(master, chmod-socket=660, vacuum, die-on-term, buffer-size=65535, limit-post=100M) for uWSGI and tsuwsgi`,
    `         each backend is started fresh for its row in every pass and stopped after it: one backend runs at a time`,
    `figures: req/s = median of passes (min–max); p50/p99 = median of the passes' wrk percentiles; errors = socket errors`,
    `         + non-2xx/3xx summed over passes; PSS = sum over the backend's process tree, peak of 200 ms samples`,
    `         (row 1: nginx's own processes); other = highest share of the machine's CPU used during a measurement by`,
    `         processes that are not the bench's (not its process tree, not kernel threads): above ${table.fmtPct(OTHER_WARN)} the row is noise`,
    `         /nginx and /flask = median req/s over row nginx's and uwsgi-flask's`,
    `selected: ${rows.map((r) => r.id).join(', ')}`,
  ].join('\n');
}

/** @param {Load} load */
function loadLine(load) {
  if (load.busyShare === null) return 'unknown';
  const text = `${table.fmtPct(load.busyShare)} of the CPUs busy before the bench started (load average ${load.loadavg})`;
  if (!load.other || load.other.share < OTHER_WARN) return text;
  return `${text}: WARNING, other processes use ${table.fmtPct(load.other.share)} (${table.fmtTop(load.other.top)}); figures will be noisy`;
}

/**
 * @param {Row} row
 * @param {number} pass
 * @param {Options} opts
 * @param {Pass} r
 */
function progressLine(row, pass, opts, r) {
  const tag = `[pass ${pass}/${opts.passes}] ${row.id.padEnd(22)}`;
  if (r.error) return `${tag} FAILED: ${r.error.split('\n')[0]}`;
  if (row.pssOnly) return `${tag} idle PSS ${table.fmtMiB(r.idlePssKb)} MiB over ${r.pssProcesses} processes`;
  if (r.step) {
    const s = r.step;
    return `${tag} step load: ${table.fmtRps(s.loadRps)} req/s over the load, ${s.failed} failed, workers ${s.idleWorkers} → ${s.maxWorkers} → ${s.endWorkers}, ` +
      `PSS ${table.fmtMiB(s.startPssKb)} → peak ${table.fmtMiB(s.peakPssKb)} → ${table.fmtMiB(s.endPssKb)} MiB`;
  }
  const idle = row.idleAfter ? `  idle PSS after ${r.idleWaitS?.toFixed(1)} s: ${table.fmtMiB(r.idlePssKb)} MiB, ${r.idleWorkers} worker(s)` : '';
  return (
    `${tag} ${table.fmtRps(r.rps).padStart(6)} req/s  p50 ${table.fmtMs(r.p50)}  p99 ${table.fmtMs(r.p99)}  ` +
    `errors ${r.errors}  CPU ${table.fmtCpu(r.cpuUsPerReq)} µs/req  peak PSS ${table.fmtMiB(r.peakPssKb)} MiB (${r.pssProcesses} processes)` +
    (r.other ? `  other CPU ${table.fmtPct(r.other.share)}${r.other.share >= OTHER_WARN ? ` (${table.fmtTop(r.other.top)})` : ''}` : '') +
    idle
  );
}

/**
 * Group 13's idle-after-load table and each step-load row's timeline, after the results table.
 * @param {Row[]} rows
 * @param {Record<string, Result>} results
 */
function printExtraTables(rows, results) {
  const idleRows = rows.filter((r) => r.idleAfter);
  if (idleRows.length > 0) {
    log('\nIdle PSS after the load (group 13): after the measurement, a rest (a cheaper row: until it is back at its');
    log('minimum, at most 30 s), then the median of 5 samples; peak PSS = under the load, as in the table above:');
    log(table.idleAfterTable(idleRows, results));
  }
  for (const r of rows.filter((x) => x.timeline)) {
    const s = results[r.id];
    if (!s || 'na' in s || !s.timeline || !s.step) continue;
    const p = /** @type {import('./lib/timeline').Plan} */ (r.timeline);
    log(`\nStep load ${r.id} (${r.what}): ${p.idleS} s idle, ${p.loadS} s of wrk -c${p.connections}, ${p.restS} s idle; one line a second`);
    log('(workers and PSS at the end of the second, req/s and failed = answers / non-2xx answers in it):');
    log(timeline.timelineTable(s.timeline));
    const st = s.step;
    log(`failed requests: ${st.failed} (${st.non2xx} non-2xx, ${st.socketErrors} socket errors, which wrk counts only in total); ` +
      `a worker added after ${st.scaledUpAfterS ?? '-'} s of load; back at the minimum for good ${st.backDownAfterS ?? '-'} s into the rest`);
    const t0 = s.timeline[0] ? s.timeline[0].epoch * 1000 : 0;
    for (const d of s.decisions ?? []) log(`  cheaper at t=${((d.atMs - t0) / 1000).toFixed(1)} s: ${d.from} -> ${d.to}: ${d.reason}`);
    if (r.backend.extra?.cheaper && (s.decisions ?? []).length === 0) log('  the cheaper logged no decision');
  }
}

async function main() {
  const ROWS = allRows();
  let opts;
  try {
    opts = args.parse(process.argv.slice(2), ROWS);
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : err}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(args.usage(ROWS));
    return 0;
  }
  let rows = ROWS.filter((r) => opts.rows.includes(r.id));
  if (opts.baseline !== null) {
    const baseDir = path.resolve(opts.baseline);
    if (!fs.existsSync(path.join(baseDir, 'dist', 'cli', 'main.js'))) {
      console.error(`bench: --baseline ${baseDir} has no dist/cli/main.js: run npm ci (or npm run build) there first`);
      return 2;
    }
    rows = withBaseline(rows, baseDir);
  }
  if (opts.nodeBin !== null) {
    const other = tools.nodeVersion(path.resolve(opts.nodeBin));
    if (other === null) {
      console.error(`bench: --node-bin ${opts.nodeBin} does not run (node --version failed)`);
      return 2;
    }
    rows = withNodeBin(rows, path.resolve(opts.nodeBin), other.split('.')[0].replace(/^v/, ''));
  }

  // Prerequisites of the selected rows only.
  /** @type {Record<string, string[]>} */
  const needing = {};
  for (const r of rows) for (const n of r.needsAll) (needing[n] = needing[n] || []).push(r.id);
  const { found, missing } = tools.check(Object.keys(needing));
  if (missing.length > 0) {
    console.error(tools.missingMessage(missing, needing));
    return 1;
  }
  if (rows.some((r) => r.backend.kind === 'tsuwsgi') && !fs.existsSync(path.join(backends.REPO, 'dist', 'cli', 'main.js'))) {
    console.error('bench: tsuwsgi is not built (dist/cli/main.js is missing): run `npm run build` or use `npm run bench`');
    return 1;
  }

  // Rows whose tsuwsgi option does not exist run their fallback backend if it exists (row 7:
  // bench/backends/tsuwsgi-master-rr.js), else are printed as n/a.
  /** @type {Record<string, Result>} */
  const results = {};
  /** @type {Record<string, boolean>} */
  const features = {};
  for (const r of rows) {
    if (!r.feature) continue;
    if (!(r.feature in features)) features[r.feature] = tools.tsuwsgiHasOption(backends.TSUWSGI_BIN, r.feature);
    if (features[r.feature]) continue;
    if (r.fallback && r.fallback.kind === 'tsuwsgi-master-rr' && fs.existsSync(backends.MASTER_RR)) {
      r.backend = { ...r.backend, kind: r.fallback.kind };
      r.what = r.fallback.what;
      log(`note: tsuwsgi has no ${r.feature} option; row ${r.id} runs ${path.relative(backends.REPO, backends.MASTER_RR)}`);
    } else {
      results[r.id] = { na: `${r.feature} not available` };
    }
  }
  // A --baseline twin whose build lacks an option its row sets (a build from before `cheaper`)
  // is n/a rather than a row whose backend exits on an unknown option.
  /** @type {Map<string, boolean>} */
  const baselineHas = new Map();
  for (const r of rows) {
    if (!r.baselineOf || results[r.id]) continue;
    const bin = r.backend.bin ?? backends.TSUWSGI_BIN;
    const lacking = lackingOptions(r, (option) => {
      if (!baselineHas.has(option)) baselineHas.set(option, tools.tsuwsgiHasOption(bin, option));
      return /** @type {boolean} */ (baselineHas.get(option));
    });
    if (lacking.length > 0) results[r.id] = { na: `the baseline build has no ${lacking.join(', ')} option` };
  }
  const runnable = rows.filter((r) => !results[r.id]);

  const info = { ...tools.machine(found), tsuwsgi: tools.gitState(backends.REPO) };
  const load = await cpu.backgroundLoad(1000);
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-bench-'));
  makeStaticFiles(tempDir);
  log(header(info, opts, rows, load));
  log(`temp dir: ${tempDir} (removed at the end)\n`);

  await assignAddresses(runnable, tempDir);
  const ngx = await nginx.start(found.nginx, { dir: tempDir, rows: runnable, uwsgiParams: tools.UWSGI_PARAMS });
  const ctx = {
    dir: tempDir,
    bins: { uwsgi: found.uwsgi, wrk: found.wrk },
    nginx: ngx,
    postScript: writePostScript(tempDir, POST_BYTES),
  };

  /** @type {Record<string, Pass[]>} */
  const passes = Object.fromEntries(runnable.map((r) => [r.id, []]));
  for (let pass = 1; pass <= opts.passes; pass++) {
    for (const row of runnable) {
      if (cleaning) return 130;
      if (row.timeline && pass > 1) continue; // a timeline is ~40 s of one configuration: once per bench
      /** @type {Pass} */
      let r;
      try {
        r = await measureLib.measure(row, ctx, opts);
        if (cleaning) return 130; // wrk was stopped by the cleanup: not a real pass
      } catch (err) {
        if (cleaning) return 130;
        r = { error: err instanceof Error ? err.message : String(err) };
        console.error(`bench: ${row.id} pass ${pass}: ${r.error}`);
      }
      passes[row.id].push(r);
      log(progressLine(row, pass, opts, r));
    }
  }
  const pairedResults = opts.pairedRounds > 0 ? await pairedRounds(rows, runnable, ctx, opts) : [];
  if (cleaning) return 130;
  await ngx.stop();

  /** @type {Record<string, import('./lib/stats').Summary>} */
  const summaries = {};
  for (const r of runnable) summaries[r.id] = results[r.id] = stats.summarize(passes[r.id]);
  const refs = { nginx: summaries.nginx, flask: summaries['uwsgi-flask'] };
  for (const r of runnable) summaries[r.id].ratios = stats.ratios(summaries[r.id], refs);
  const evaluated3 = targets.evaluate(results, [
    ...targets.involving(targets.TARGETS, rows),
    ...targets.baselineTargets(rows),
    ...targets.nodeBinTargets(rows),
  ]);
  const evaluated14 = targets.evaluate(results, targets.involving(targets.TARGETS_14, rows));
  const evaluated = [...evaluated3, ...evaluated14];

  log('');
  log(table.resultsTable(rows, results));
  printExtraTables(rows, results);
  if (evaluated3.length > 0) {
    log('\nTargets of issue 3, and this build / baseline, other Node / this node per row (ratios of median req/s, CPU per request or PSS between rows of this run):');
    log(table.targetsSection(evaluated3));
  }
  if (evaluated14.length > 0) {
    log('\nTargets of issue 14 (ratios between rows of this run, or one row\'s figure; [node N] / [baseline build]: the same with those rows):');
    log(table.targetsSection(evaluated14));
  }
  if (pairedResults.length > 0) {
    log(`\nThe req/s targets in paired rounds (each target's rows running together, ${opts.roundSeconds} s each in turn; the median of the rounds' ratios):`);
    log(table.pairedSection(pairedResults));
  }

  if (opts.json) {
    const file = path.resolve(opts.json);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const rowsOut = rows.map((r) => ({
      id: r.id, group: r.group, what: r.what, proxy: r.proxy, backend: r.backend, request: r.request,
      passes: passes[r.id] || [], summary: results[r.id] || null,
    }));
    const doc = { date: new Date().toISOString(), machine: info, load, options: opts, rows: rowsOut, targets: evaluated, paired: pairedResults };
    fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    log(`\nresults written to ${file}`);
  }
  const disturbed = runnable.filter((r) => (summaries[r.id].otherMax ?? 0) >= OTHER_WARN);
  if (disturbed.length > 0) {
    log(`\nWARNING: other processes used >= ${table.fmtPct(OTHER_WARN)} of the CPU while measuring ${disturbed.map((r) => r.id).join(', ')}:` +
      ' those figures (and ratios involving them) are not trustworthy; rerun on a quiet machine.');
  }
  const failed = runnable.filter((r) => summaries[r.id].failed > 0);
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} row(s) had failed passes: ${failed.map((r) => r.id).join(', ')}`);
    return 1;
  }
  return 0;
}

/**
 * The paired rounds of --paired-rounds: every req/s target with a goal among the selected rows
 * (and its twins), its rows grouped so that each runs once; a group that fails leaves its
 * targets without a value and the others go on.
 * @param {Row[]} rows  the selected rows
 * @param {Row[]} runnable
 * @param {import('./lib/measure').MeasureContext} ctx
 * @param {Options} opts
 */
async function pairedRounds(rows, runnable, ctx, opts) {
  const goals = paired.pairedTargets([...targets.involving(targets.TARGETS, rows), ...targets.involving(targets.TARGETS_14, rows)], runnable);
  const byId = new Map(runnable.map((r) => [r.id, r]));
  /** @type {ReturnType<typeof paired.evaluatePaired>} */
  const results = [];
  for (const group of paired.groups(goals)) {
    if (cleaning) break;
    const mine = goals.filter((t) => group.includes(t.num));
    log(`\n[paired] ${group.join(', ')}: ${opts.pairedRounds} rounds, ${opts.roundSeconds} s each`);
    /** @type {Record<string, number | null>[]} */
    let rounds = [];
    try {
      rounds = await runPairedGroup(
        group.map((id) => /** @type {Row} */ (byId.get(id))),
        ctx,
        opts,
        (round, figures) => log(table.pairedRoundLine(round, opts.pairedRounds, figures, OTHER_WARN)),
        () => cleaning !== null,
      );
    } catch (err) {
      if (cleaning) break;
      console.error(`bench: paired rounds of ${group.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
    }
    results.push(...paired.evaluatePaired(mine, rounds));
  }
  return results;
}

// `node bench/run.js | head`: when the reader goes away, stop like on Ctrl-C instead of crashing.
process.stdout.on('error', (err) => {
  stdoutClosed = true;
  if (err.code === 'EPIPE') onSignal('stdout closed');
  else throw err;
});
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGHUP', () => onSignal('SIGHUP'));
process.on('exit', () => {
  procs.killAllSync();
  removeTempDir();
});

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (err) => {
    console.error(`bench: ${err && err.stack ? err.stack : err}`);
    await cleanup();
    process.exit(1);
  },
);
