'use strict';
// CPU used by processes that are NOT the bench's (other users' jobs on a shared machine): every
// figure of a row is noise when something else burns a core during its measurement. The bench's
// own processes are the harness's process tree (nginx, the backend and wrk are all its children,
// detached or not); kernel threads (children of kthreadd, pid 2) are left out, since loopback
// networking under load runs in ksoftirqd/kworkers on the bench's behalf.
const fs = require('fs');
const path = require('path');
const { treePids } = require('./pss');

/**
 * @typedef {{ busy: number, total: number }} CpuTimes
 * @typedef {{ pid: number, comm: string, ppid: number, own: number, ticks: number }} PidStat
 * @typedef {{ stat: CpuTimes | null, procs: Map<number, PidStat> }} Snapshot
 * @typedef {{ share: number, top: { pid: number, comm: string, share: number }[] }} OtherCpu
 */

/**
 * Busy and total jiffies summed over all CPUs from /proc/stat's "cpu " line (pure).
 * @param {unknown} text
 * @returns {CpuTimes | null}
 */
function parseProcStat(text) {
  const m = /^cpu\s+(.+)$/m.exec(String(text));
  if (!m) return null;
  const v = m[1].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest is inside user already
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] || 0) + (v[4] || 0);
  return { busy: total - idle, total };
}

/**
 * Share of the machine busy between two parseProcStat() readings, 0..1 (pure); null if unknown.
 * @param {CpuTimes | null} a
 * @param {CpuTimes | null} b
 */
function busyShare(a, b) {
  if (!a || !b || b.total <= a.total) return null;
  return Math.min(1, Math.max(0, (b.busy - a.busy) / (b.total - a.total)));
}

/**
 * One /proc/PID/stat line (pure): {pid, comm, ppid, own, ticks}. own = utime + stime; ticks = own
 * + cutime + cstime (children's time moves into the c-fields of whoever reaps them, so a sum over
 * a set of processes stays continuous while children come and go; but a parent's ticks jump by a
 * long-lived child's whole life when it reaps it, so per-process shares use `own`).
 * null if unparsable.
 * @param {unknown} text
 * @returns {PidStat | null}
 */
function parsePidStat(text) {
  const s = String(text);
  const open = s.indexOf('(');
  const close = s.lastIndexOf(')'); // comm may itself contain ") "
  if (open < 0 || close < open) return null;
  const pid = Number(s.slice(0, open).trim());
  const f = s.slice(close + 2).trim().split(/\s+/); // f[0] = state (field 3)
  if (!Number.isInteger(pid) || f.length < 15) return null;
  const num = (/** @type {number} */ i) => Number(f[i]);
  const own = num(11) + num(12); // fields 14, 15
  const ticks = own + num(13) + num(14); // + fields 16, 17
  if (!Number.isFinite(ticks)) return null;
  return { pid, comm: s.slice(open + 1, close), ppid: num(1), own, ticks };
}

/**
 * A reading of the machine: /proc/stat plus every process's stat (pid → parsed).
 * @returns {Snapshot}
 */
function snapshot(proc = '/proc') {
  const read = (/** @type {string} */ f) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  /** @type {Map<number, PidStat>} */
  const procs = new Map();
  /** @type {string[]} */
  let entries = [];
  try {
    entries = fs.readdirSync(proc);
  } catch {
    /* not Linux */
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const p = parsePidStat(read(path.join(proc, name, 'stat')) || '');
    if (p) procs.set(p.pid, p);
  }
  return { stat: parseProcStat(read(path.join(proc, 'stat')) || ''), procs };
}

const isKernel = (/** @type {PidStat} */ p) => p.pid === 2 || p.ppid === 2;

/**
 * CPU used by other processes between two snapshots, as a share of the whole machine (pure).
 * `ours`: the bench's pids (any seen in either snapshot). Returns {share, top: [{pid, comm,
 * share}] (by each process's own CPU, largest first, at most 3)} or null when the snapshots
 * cannot be compared.
 * @param {Snapshot | null} a
 * @param {Snapshot | null} b
 * @param {Set<number>} ours
 * @returns {OtherCpu | null}
 */
function otherCpu(a, b, ours) {
  if (!a || !b || !a.stat || !b.stat || b.stat.total <= a.stat.total) return null;
  const total = b.stat.total - a.stat.total;
  const counted = (/** @type {PidStat} */ p) => !ours.has(p.pid) && !isKernel(p);
  let sumA = 0;
  let sumB = 0;
  /** @type {OtherCpu['top']} */
  const per = [];
  for (const p of a.procs.values()) if (counted(p)) sumA += p.ticks;
  for (const p of b.procs.values()) {
    if (!counted(p)) continue;
    sumB += p.ticks;
    const before = a.procs.get(p.pid);
    const d = p.own - (before && before.comm === p.comm ? before.own : 0);
    if (d > 0) per.push({ pid: p.pid, comm: p.comm, share: d / total });
  }
  per.sort((x, y) => y.share - x.share);
  return { share: Math.min(1, Math.max(0, (sumB - sumA) / total)), top: per.slice(0, 3) };
}

/** Start measuring other processes' CPU; stop() returns otherCpu() for the interval. */
function startOtherCpu() {
  const ours = new Set(treePids(process.pid));
  const a = snapshot();
  return {
    stop() {
      for (const pid of treePids(process.pid)) ours.add(pid);
      return otherCpu(a, snapshot(), ours);
    },
  };
}

/**
 * How busy the machine is before the bench starts anything (sampled over `ms`), and who.
 */
async function backgroundLoad(ms = 1000) {
  const meter = startOtherCpu();
  const a = snapshot();
  await new Promise((r) => setTimeout(r, ms));
  const b = snapshot();
  /** @type {string | null} */
  let loadavg = null;
  try {
    loadavg = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    /* not Linux */
  }
  return { busyShare: busyShare(a.stat, b.stat), other: meter.stop(), loadavg };
}

/** Clock ticks per second of /proc/PID/stat's times (getconf CLK_TCK; 100 on Linux). */
/** @type {number | null} */
let clkTck = null;
function ticksPerSecond() {
  if (clkTck === null) {
    try {
      clkTck = Number(require('child_process').execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/**
 * CPU ticks used so far by the process tree under `pid` (itself, its descendants, and the ones
 * they reaped). On a machine shared with other jobs, CPU per request is far steadier than
 * req/s: another job takes time from the backend, not instructions.
 * @param {number} pid
 */
function treeTicks(pid, proc = '/proc') {
  let sum = 0;
  for (const p of treePids(pid)) {
    let text;
    try {
      text = fs.readFileSync(path.join(proc, String(p), 'stat'), 'utf8');
    } catch {
      continue;
    }
    const parsed = parsePidStat(text);
    if (parsed) sum += parsed.ticks;
  }
  return sum;
}

/**
 * Start counting the CPU of the tree under `pid`; stop(requests) gives µs of CPU per request.
 * @param {number} pid
 */
function startTreeCpu(pid) {
  const before = treeTicks(pid);
  return {
    /** @param {number | null} requests */
    stop(requests) {
      const used = treeTicks(pid) - before;
      return requests !== null && requests > 0 ? ((used / ticksPerSecond()) * 1e6) / requests : null;
    },
  };
}

module.exports = { parseProcStat, busyShare, parsePidStat, otherCpu, snapshot, startOtherCpu, backgroundLoad, treeTicks, startTreeCpu };
