'use strict';
// PSS (proportional set size) of a whole process tree: the root pid and every descendant found
// through /proc/PID/task/*/children, each one's "Pss:" line of /proc/PID/smaps_rollup summed.
// PSS splits shared pages among their sharers, so the sum over a tree counts each page once.
const fs = require('fs');
const path = require('path');

/** The "Pss:" value of a smaps_rollup text, in kB; null when the line is missing. */
function parsePssKb(text) {
  const m = /^Pss:\s+(\d+)\s+kB\s*$/m.exec(String(text));
  return m ? Number(m[1]) : null;
}

/** The pids of a /proc/PID/task/TID/children text ("123 456 "). */
function parseChildren(text) {
  return String(text)
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process (or thread) went away between listing and reading
  }
}

/**
 * Walk a process tree. `read(file)` returns a file's text or null and `list(dir)` a directory's
 * entries or [] (both injectable for tests). Returns the pids, root first, each once.
 */
function treePids(root, { read = readOrNull, list = listOrEmpty, proc = '/proc' } = {}) {
  const seen = new Set();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    if (seen.has(pid)) continue;
    if (read(path.join(proc, String(pid), 'stat')) === null) continue; // gone
    seen.add(pid);
    for (const tid of list(path.join(proc, String(pid), 'task'))) {
      const kids = read(path.join(proc, String(pid), 'task', tid, 'children'));
      if (kids !== null) queue.push(...parseChildren(kids));
    }
  }
  return [...seen];
}

function listOrEmpty(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Sum of PSS over the tree at `root`, in kB, with the number of processes counted. */
function treePss(root, io = {}) {
  const read = io.read || readOrNull;
  const proc = io.proc || '/proc';
  let kb = 0;
  let count = 0;
  for (const pid of treePids(root, io)) {
    const v = parsePssKb(read(path.join(proc, String(pid), 'smaps_rollup')) || '');
    if (v === null) continue;
    kb += v;
    count++;
  }
  return { kb, count };
}

/** Sample treePss(root) every `everyMs` until stop(); stop() returns the peak (kB) or null. */
function startSampler(root, everyMs = 200) {
  let peak = null;
  let processes = 0;
  const sample = () => {
    const { kb, count } = treePss(root);
    if (count > 0 && (peak === null || kb > peak)) {
      peak = kb;
      processes = count;
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakKb: peak, processes };
    },
  };
}

module.exports = { parsePssKb, parseChildren, treePids, treePss, startSampler };
