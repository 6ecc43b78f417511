'use strict';
// The files of the static rows (group 11): one of 1 KiB and one of 1 MiB under <run dir>/www/static/,
// served by nginx itself (root <run dir>/www), by uWSGI's and by tsuwsgi's static-map = /static=….
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/** name → size in bytes; a row's request path is /static/<name>. @type {Record<string, number>} */
const STATIC_FILES = { '1k.txt': 1024, '1m.bin': 1024 * 1024 };

/** nginx's `root` for the static rows (pure). @param {string} dir */
function staticRoot(dir) {
  return path.join(dir, 'www');
}

/** What static-map maps /static to (pure). @param {string} dir */
function staticDir(dir) {
  return path.join(staticRoot(dir), 'static');
}

/** Writes the files once per run. @param {string} dir */
function makeStaticFiles(dir) {
  fs.mkdirSync(staticDir(dir), { recursive: true });
  for (const [name, size] of Object.entries(STATIC_FILES)) fs.writeFileSync(path.join(staticDir(dir), name), crypto.randomBytes(size));
}

module.exports = { STATIC_FILES, staticRoot, staticDir, makeStaticFiles };
