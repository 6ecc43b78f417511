/** The `./protocol` package export stands alone: no file of src/protocol imports from outside it. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '..', '..', '..', 'src', 'protocol');

/** Every module specifier of a TypeScript file: import/export ... from '…', import('…'), require('…'). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\b(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

describe('protocol/index', () => {
  it('finds the imports it checks (the reader works)', () => {
    expect(specifiers(`import { a } from './b.js';\nexport { c } from "../d";\nconst e = require('node:f');`)).to.deep.equal(['./b.js', '../d', 'node:f']);
  });

  it('no file of src/protocol imports anything outside it but Node\'s own modules', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files).to.include('index.ts');
    const outside: string[] = [];
    for (const f of files) {
      for (const spec of specifiers(fs.readFileSync(path.join(DIR, f), 'utf8'))) {
        const local = spec.startsWith('./') && !spec.slice(2).includes('/');
        if (!local && !spec.startsWith('node:')) outside.push(`${f}: ${spec}`);
      }
    }
    expect(outside).to.deep.equal([]);
  });
});
