'use strict';
// Prerequisites (what each row needs, how to install what is missing) and the versions printed
// in the header.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const PYTHON3_PLUGIN = '/usr/lib/uwsgi/plugins/python3_plugin.so';
const UWSGI_PARAMS = '/etc/nginx/uwsgi_params';

/**
 * First executable among `candidates` and then `name` on PATH; null if none.
 * @param {string} name
 * @param {string[]} [candidates]
 */
function findBinary(name, candidates = []) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const file of [...candidates, ...dirs.map((d) => path.join(d, name))]) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * The requirements by name: `check()` returns the path (or true) when present, else null;
 * `what` says exactly what was looked for; `pkg` is the Debian package that provides it.
 * @typedef {{ pkg: string, what: string, check: () => string | null }} Requirement
 * @typedef {{ name: string, what: string, pkg: string }} Missing
 * @type {Record<string, Requirement>}
 */
const REQUIREMENTS = {
  nginx: {
    pkg: 'nginx',
    what: `nginx (/usr/sbin/nginx) with ${UWSGI_PARAMS}`,
    check: () => {
      const bin = findBinary('nginx', ['/usr/sbin/nginx', '/usr/local/sbin/nginx']);
      return bin && fs.existsSync(UWSGI_PARAMS) ? bin : null;
    },
  },
  wrk: { pkg: 'wrk', what: 'wrk (/usr/bin/wrk)', check: () => findBinary('wrk', ['/usr/bin/wrk']) },
  uwsgi: { pkg: 'uwsgi-core', what: 'uwsgi (/usr/bin/uwsgi)', check: () => findBinary('uwsgi', ['/usr/bin/uwsgi']) },
  'uwsgi-python3': {
    pkg: 'uwsgi-plugin-python3',
    what: `uWSGI's python3 plugin (${PYTHON3_PLUGIN})`,
    check: () => (fs.existsSync(PYTHON3_PLUGIN) ? PYTHON3_PLUGIN : null),
  },
  flask: {
    pkg: 'python3-flask',
    what: 'python3 with flask (python3 -c "import flask")',
    check: () => {
      const py = findBinary('python3', ['/usr/bin/python3']);
      if (!py) return null;
      const r = spawnSync(py, ['-c', 'import flask'], { stdio: 'ignore', timeout: 10000 });
      return r.status === 0 ? py : null;
    },
  },
};

/**
 * Check the named requirements. Returns {found: name → path, missing: [{name, what, pkg}]}.
 * @param {string[]} names
 * @param {Record<string, Requirement>} [requirements]
 */
function check(names, requirements = REQUIREMENTS) {
  /** @type {Record<string, string>} */
  const found = {};
  /** @type {Missing[]} */
  const missing = [];
  for (const name of [...new Set(names)]) {
    const req = requirements[name];
    if (!req) throw new Error(`unknown requirement ${name}`);
    const got = req.check();
    if (got) found[name] = got;
    else missing.push({ name, what: req.what, pkg: req.pkg });
  }
  return { found, missing };
}

/**
 * The message for missing requirements (pure): what is missing, for which rows, how to install.
 * @param {Missing[]} missing
 * @param {Record<string, string[]>} [rowsNeeding]
 */
function missingMessage(missing, rowsNeeding = {}) {
  const lines = ['bench: missing prerequisites:'];
  for (const m of missing) {
    const rows = rowsNeeding[m.name];
    lines.push(`  - ${m.what}${rows && rows.length ? ` (needed by: ${rows.join(', ')})` : ''}`);
  }
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  lines.push('Install them with:', `  apt-get install -y ${pkgs.join(' ')}`);
  lines.push('or run only rows that do not need them with --rows (see --help).');
  return lines.join('\n');
}

/**
 * @param {string} cmd
 * @param {string[]} args
 */
function firstLine(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
    const text = `${r.stdout || ''}\n${r.stderr || ''}`.trim();
    return text.split('\n').find((l) => l.trim()) || null;
  } catch {
    return null;
  }
}

/**
 * @typedef {object} Machine
 * @property {number} cores
 * @property {string} cpu
 * @property {string} kernel
 * @property {string} node
 * @property {string} [nginx]
 * @property {string} [wrk]
 * @property {string | null} [uwsgi]
 * @property {string | null} [flask]
 */

/**
 * The machine and tool versions for the header.
 * @param {Record<string, string>} found
 */
function machine(found) {
  const cpus = os.cpus();
  /** @type {Machine} */
  const info = {
    cores: cpus.length,
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
  if (found.nginx) info.nginx = (firstLine(found.nginx, ['-v']) || '').replace(/^nginx version:\s*(nginx\/)?/, '');
  if (found.wrk) info.wrk = (firstLine(found.wrk, ['--version']) || '').replace(/\s*Copyright.*$/, '');
  if (found.uwsgi) info.uwsgi = firstLine(found.uwsgi, ['--version']);
  if (found.flask) {
    info.flask = firstLine(found.flask, ['-c', 'import importlib.metadata as m, sys; print(m.version("flask"), "on Python", sys.version.split()[0])']);
  }
  return info;
}

/**
 * Which tsuwsgi is measured: the commit, and whether src/ has uncommitted changes.
 * @param {string} repo
 */
function gitState(repo) {
  const git = (/** @type {string[]} */ args) => spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', timeout: 10000 });
  const head = git(['log', '-1', '--format=%h %s']);
  if (head.status !== 0) return null;
  const dirty = git(['status', '--porcelain', '--', 'src']);
  const changed = (dirty.stdout || '').split('\n').filter(Boolean).length;
  const line = head.stdout.trim();
  return `${line.length > 72 ? `${line.slice(0, 71)}…` : line}${changed ? ` + ${changed} uncommitted change(s) in src/` : ''}`;
}

/**
 * `v24.1.0` for a node binary that runs, else null (--node-bin).
 * @param {string} bin
 */
function nodeVersion(bin) {
  const line = firstLine(bin, ['--version']);
  return line && /^v\d+\./.test(line) ? line.trim() : null;
}

/**
 * Whether `node bin/tsuwsgi --help` lists an option (e.g. accept-mode).
 * @param {string} bin
 * @param {string} option
 */
function tsuwsgiHasOption(bin, option) {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 15000 });
  return new RegExp(`--${option}\\b`).test(`${r.stdout || ''}${r.stderr || ''}`);
}

module.exports = {
  REQUIREMENTS, check, missingMessage, machine, findBinary, tsuwsgiHasOption, gitState, nodeVersion,
  PYTHON3_PLUGIN, UWSGI_PARAMS };
