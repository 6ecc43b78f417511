'use strict';
// PSS (proportional set size) of a whole process tree: the root pid and every descendant found
// through /proc/PID/task/*/children, each one's "Pss:" line of /proc/PID/smaps_rollup summed.
// PSS splits shared pages among their sharers, so the sum over a tree counts each page once.
const fs = require('fs');
const path = require('path');

/**
 * @typedef {object} TreeIo  the /proc readers, injectable for tests
 * @property {(file: string) => string | null} [read]
 * @property {(dir: string) => string[]} [list]
 * @property {string} [proc]
 */

/**
 * The "Pss:" value of a smaps_rollup text, in kB; null when the line is missing.
 * @param {unknown} text
 */
function parsePssKb(text) {
  const m = /^Pss:\s+(\d+)\s+kB\s*$/m.exec(String(text));
  return m ? Number(m[1]) : null;
}

/**
 * The pids of a /proc/PID/task/TID/children text ("123 456 ").
 * @param {unknown} text
 */
function parseChildren(text) {
  return String(text)
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** @param {string} file */
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
 * @param {number} root
 * @param {TreeIo} [io]
 * @returns {number[]}
 */
function treePids(root, { read = readOrNull, list = listOrEmpty, proc = '/proc' } = {}) {
  /** @type {Set<number>} */
  const seen = new Set();
  const queue = [root];
  while (queue.length > 0) {
    const pid = /** @type {number} */ (queue.shift());
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

/** @param {string} dir */
function listOrEmpty(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Sum of PSS over the tree at `root`, in kB, with the number of processes counted.
 * @param {number} root
 * @param {TreeIo} [io]
 */
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

/**
 * Sample treePss(root) every `everyMs` until stop(); stop() returns the peak (kB) or null.
 * @param {number} root
 */
function startSampler(root, everyMs = 200) {
  /** @type {number | null} */
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
