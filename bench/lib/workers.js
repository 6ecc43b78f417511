'use strict';
// The worker processes of a backend: the root's direct children that run a worker. For tsuwsgi
// that is a child whose command line runs dist/worker/main.js (not a mule, an attached daemon
// or a cron job); for every other backend each child counts. A retiring worker that still
// drains its requests counts too: it is a process and holds its memory until it exits.
const fs = require('fs');
const path = require('path');
const { parseChildren } = require('./pss');

/** A tsuwsgi worker's command line: node [flags] …/worker/main.js (NUL-separated in /proc). */
const TSUWSGI_WORKER = /(^|\0)[^\0]*\/worker\/main\.js(\0|$)/;

/**
 * @param {string} file
 * @returns {string | null}
 */
function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
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
 * Whether a /proc/PID/cmdline text is a worker of `kind` (pure).
 * @param {string | null} cmdline
 * @param {string} kind  a backend kind (rows.js)
 */
function isWorker(cmdline, kind) {
  if (cmdline === null) return false; // exited between listing and reading
  return kind === 'tsuwsgi' ? TSUWSGI_WORKER.test(cmdline) : true;
}

/**
 * The pids of the worker processes under `root`.
 * @param {number} root
 * @param {string} kind
 * @param {import('./pss').TreeIo} [io]
 * @returns {number[]}
 */
function workerPids(root, kind, { read = readOrNull, list = listOrEmpty, proc = '/proc' } = {}) {
  const dir = path.join(proc, String(root), 'task');
  const children = list(dir).flatMap((tid) => parseChildren(read(path.join(dir, tid, 'children')) ?? ''));
  return [...new Set(children)].filter((pid) => isWorker(read(path.join(proc, String(pid), 'cmdline')), kind));
}

module.exports = { workerPids, isWorker };
