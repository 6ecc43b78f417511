'use strict';
// Command-line options of bench/run.js (pure: parse(argv, rowIds) returns options or throws).

/** @typedef {import('./rows').Row} Row */
/**
 * @typedef {object} Options
 * @property {number} duration
 * @property {number} passes
 * @property {number} connections
 * @property {number} threads
 * @property {number} warmup
 * @property {string[]} rows  the selected row ids
 * @property {string | null} json
 * @property {string | null} baseline
 * @property {string | null} nodeBin  another node binary to run every tsuwsgi row with
 * @property {number} pairedRounds  rounds of the paired measurement after the passes (0: none)
 * @property {number} roundSeconds  whole seconds of wrk per row and round
 * @property {boolean} help
 */
/** @typedef {'duration' | 'passes' | 'connections' | 'threads' | 'warmup' | 'pairedRounds' | 'roundSeconds'} NumericKey */

const DEFAULTS = Object.freeze({
  duration: 5,
  passes: 3,
  connections: 32,
  threads: 1,
  warmup: 2,
  rows: null, // null: every row
  json: null,
  baseline: null,
  nodeBin: null,
  pairedRounds: 0,
  roundSeconds: 3,
  help: false,
});

/** @type {Record<string, { key: NumericKey, min: number }>} */
const NUMERIC = {
  // wrk takes whole seconds only (-d1.5s is a usage error)
  '--duration': { key: 'duration', min: 1 },
  '--passes': { key: 'passes', min: 1 },
  '--connections': { key: 'connections', min: 1 },
  '--threads': { key: 'threads', min: 1 },
  '--warmup': { key: 'warmup', min: 0 },
  '--paired-rounds': { key: 'pairedRounds', min: 0 },
  '--round-seconds': { key: 'roundSeconds', min: 1 },
};

/** @param {Row[]} rows */
function usage(rows) {
  const list = rows.map((r) => `    ${String(r.group).padEnd(4)} ${r.id.padEnd(24)} ${r.what}`).join('\n');
  return `Usage: node bench/run.js [options]      (npm run bench -- [options] builds first)

Starts one nginx and, row after row, each backend behind it; drives each with wrk and prints
req/s (median of the passes and min–max), p50/p99 latency, errors, peak PSS and ratios.

Options:
  --duration S       whole seconds of measurement per row and pass (default ${DEFAULTS.duration})
  --passes N         interleaved passes: each pass runs every row once (default ${DEFAULTS.passes})
  --connections C    wrk connections (default ${DEFAULTS.connections})
  --threads T        wrk threads (default ${DEFAULTS.threads})
  --warmup S         seconds of wrk warm-up before each measurement (default ${DEFAULTS.warmup})
  --rows LIST        comma-separated row ids or group numbers to run (default: all), e.g.
                     --rows nginx,uwsgi-flask,tsuwsgi-unix   or   --rows 1,2,5
  --json FILE        also write the results (every pass, summaries, targets) as JSON
  --baseline DIR     also run every selected tsuwsgi row with the tsuwsgi built in DIR (another
                     checkout, e.g. a git worktree of main, after npm ci), as row ID@base next to
                     ROW, and report this build / baseline for each: before/after in one run
  --node-bin PATH    also run every selected tsuwsgi and Node cluster row with the node binary PATH,
                     as row ID@nodeN (N: its major version) next to ROW, and report that Node /
                     this one for req/s, CPU per request and PSS: two Node lines in one run
                     (e.g. --node-bin "$(.ci/node-line 24)")
  --paired-rounds N  after the passes, measure each req/s target with a goal in N paired rounds:
                     the target's rows (and their @nodeN / @base twins) run together behind the
                     nginx and take turns, --round-seconds each, in a rotating order; each round
                     gives a ratio, and the target's status is read on their median (default 0:
                     off). A slow spell of a shared machine then falls on both sides of a ratio.
  --round-seconds S  whole seconds of wrk per row and round (default ${DEFAULTS.roundSeconds})
  -h, --help         show this help

Rows (group, id, what):
${list}
`;
}

/**
 * Resolve a --rows list (ids or group names) into row ids, in table order.
 * @param {string} list
 * @param {Row[]} rows
 * @returns {string[]}
 */
function selectRows(list, rows) {
  const wanted = String(list)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) throw new Error('--rows needs at least one row id');
  const picked = new Set();
  for (const w of wanted) {
    const byId = rows.filter((r) => r.id === w);
    const byGroup = rows.filter((r) => String(r.group).toLowerCase() === w.toLowerCase());
    const hit = byId.length > 0 ? byId : byGroup;
    if (hit.length === 0) throw new Error(`--rows: unknown row "${w}" (known: ${rows.map((r) => r.id).join(', ')})`);
    for (const r of hit) picked.add(r.id);
  }
  return rows.filter((r) => picked.has(r.id)).map((r) => r.id);
}

/**
 * @param {string[]} argv
 * @param {Row[]} rows
 * @returns {Options}
 */
function parse(argv, rows) {
  /** @type {Omit<Options, 'rows'> & { rows: string[] | null }} */
  const opts = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    /** @type {string | undefined} */
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
    } else if (NUMERIC[arg]) {
      const { key, min } = NUMERIC[arg];
      const raw = next();
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n) || n < min) {
        throw new Error(`${arg}: expected an integer >= ${min}, got "${raw}"`);
      }
      opts[key] = n;
    } else if (arg === '--rows') {
      opts.rows = selectRows(next(), rows);
    } else if (arg === '--baseline') {
      const d = next();
      if (!d) throw new Error('--baseline needs a directory');
      opts.baseline = d;
    } else if (arg === '--node-bin') {
      const b = next();
      if (!b) throw new Error('--node-bin needs the path of a node binary');
      opts.nodeBin = b;
    } else if (arg === '--json') {
      const f = next();
      if (!f) throw new Error('--json needs a file name');
      opts.json = f;
    } else {
      throw new Error(`unknown option "${argv[i]}" (see --help)`);
    }
  }
  return { ...opts, rows: opts.rows ?? rows.map((r) => r.id) };
}

module.exports = { parse, selectRows, usage, DEFAULTS };
