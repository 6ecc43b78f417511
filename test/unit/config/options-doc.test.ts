import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { optionTable } from '../../../src/config/options';
import { renderOptionsDoc } from '../../../src/config/options-doc';
import { OPTIONS_DOC_PATH } from '../../../src/config/write-options-doc';

describe('config/options-doc', () => {
  it('docs/options.md is what the option table renders', () => {
    const onDisk = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'options.md'), 'utf8');
    expect(onDisk === renderOptionsDoc(), 'docs/options.md is stale: run `npm run docs:options` (or `npm run docs`)').to.equal(true);
  });
  it('the script writes where the test reads', () => {
    expect(OPTIONS_DOC_PATH).to.equal(path.join(__dirname, '..', '..', '..', 'docs', 'options.md'));
  });
  it('lists every option with its aliases, kind and default', () => {
    const doc = renderOptionsDoc();
    for (const spec of optionTable) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${spec.name}\` |`));
      expect(row, spec.name).to.not.equal(undefined);
      for (const alias of spec.aliases) expect(row).to.contain(`\`${alias}\``);
      expect(row).to.contain(spec.kind);
      if (spec.default !== undefined) expect(row).to.contain(`\`${spec.default}\``);
      expect(doc).to.contain(`## ${spec.section}`);
    }
  });
});
