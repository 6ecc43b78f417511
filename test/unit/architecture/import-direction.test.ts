/**
 * The rooms of src/ import one way (issue 12, docs/architecture.md):
 *
 *   cli → config, master, emperor → shared ← worker → server → protocol, app
 *                                    shared ← mule → worker (its fault policy), app (module loading)
 *
 * Each folder may import only the folders listed for it below (type-only imports count: a type
 * is a contract too). A new import against the direction fails here, naming the file and the
 * import; a new folder must be given its place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from '../../support/tmp';

const SRC = path.resolve(__dirname, '..', '..', '..', 'src');

/** folder → the folders its files may import (besides their own). */
const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  shared: ['protocol'],
  config: ['shared', 'protocol'],
  app: ['shared', 'protocol'],
  server: ['shared', 'protocol', 'app'],
  worker: ['shared', 'protocol', 'app', 'server', 'config'],
  // A mule process: a worker without a socket (src/mule/).
  mule: ['shared', 'protocol', 'app', 'worker'],
  master: ['shared', 'protocol', 'config'],
  emperor: ['shared', 'protocol', 'config', 'master'],
  cli: ['shared', 'protocol', 'config', 'master', 'emperor'],
  docs: ['shared', 'protocol', 'config'],
  '.': ['shared', 'protocol', 'app', 'config', 'server'],
};

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The top folder of src/ a file (or a folder, imported through its index) is in; '.' for src/index.ts. */
function room(src: string, target: string): string {
  const rel = path.relative(src, target);
  if (rel.includes(path.sep)) return rel.split(path.sep)[0]!;
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? rel : '.';
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

export function violations(src = SRC): string[] {
  const out: string[] = [];
  for (const file of filesUnder(src)) {
    const from = room(src, file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      out.push(`${path.relative(src, file)}: folder src/${from} has no place in the import direction (add it to ALLOWED)`);
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) continue;
      const to = room(src, path.resolve(path.dirname(file), spec));
      if (to === from || allowed.includes(to)) continue;
      out.push(`${path.relative(src, file)} imports ${spec} (${from} → ${to})`);
    }
  }
  return out;
}

describe('architecture: the import direction, and unit tests mirroring src/', () => {
  it('no file imports against it', () => {
    expect(violations()).to.deep.equal([]);
  });

  it('the check sees what goes against it: a value or type import, a re-export, a require, an unknown folder', () => {
    const dir = tempDir('tsuwsgi-import-direction-');
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('protocol/parse.ts', "import { x } from '../shared/errors';\nimport { y } from './codes';\n");
    write('protocol/codes.ts', 'export const y = 1;\n');
    write('shared/ipc.ts', "import type {\n  A,\n} from '../worker/types';\nexport type { B } from '../server/context';\n");
    write('shared/errors.ts', "import { y } from '../protocol/codes';\nexport const x = y;\n");
    write('server/run.ts', "const m = require('../master/x');\n");
    write('plugins/a.ts', "import fs from 'node:fs';\n");
    expect(violations(dir).sort()).to.deep.equal([
      'plugins/a.ts: folder src/plugins has no place in the import direction (add it to ALLOWED)',
      "protocol/parse.ts imports ../shared/errors (protocol → shared)",
      "server/run.ts imports ../master/x (server → master)",
      "shared/ipc.ts imports ../server/context (shared → server)",
      "shared/ipc.ts imports ../worker/types (shared → worker)",
    ]);
  });

  it('unit tests mirror src/: test/unit/<path>.test.ts, or test/unit/<path>/<aspect>.test.ts for a module tested from several sides', () => {
    const UNIT = path.resolve(__dirname, '..');
    const strays = filesUnder(UNIT)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.relative(UNIT, f).slice(0, -'.test.ts'.length))
      // bench/ and support/ test the bench's and the tests' own code; architecture/ the tree.
      .filter((rel) => !/^(bench|support|architecture)\//.test(rel))
      .filter((rel) => !fs.existsSync(path.join(SRC, `${rel}.ts`)) && !fs.existsSync(path.join(SRC, `${path.dirname(rel)}.ts`)));
    expect(strays).to.deep.equal([]);
  });
});
