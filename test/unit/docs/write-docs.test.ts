import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { GENERATED_DOCS } from '../../../src/docs/write-docs';
import { ErrorCodes } from '../../../src/shared/errors';
import { ExitCode } from '../../../src/shared/exit-codes';

const root = path.join(__dirname, '..', '..', '..');

describe('generated docs', () => {
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    it(`${file} matches what its table renders (run \`npm run docs\` when this fails)`, () => {
      const onDisk = fs.readFileSync(path.join(root, file), 'utf8');
      expect(onDisk, `${file} is stale: run npm run docs`).to.equal(render());
    });
  }

  it('docs/errors.md lists every error code', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    for (const code of Object.keys(ErrorCodes)) expect(doc).to.contain(`\`${code}\``);
  });

  it('docs/exit-codes.md lists every exit code with its number', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/exit-codes.md'), 'utf8');
    for (const [name, value] of Object.entries(ExitCode)) expect(doc).to.contain(`| ${value} | \`${name}\` |`);
  });
});
