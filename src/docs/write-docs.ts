/** `npm run docs`: regenerate the generated docs from their tables. */
import fs from 'node:fs';
import path from 'node:path';
import { renderErrorsDoc, renderExitCodesDoc } from './render-catalogues';
import { renderOptionsDoc } from '../config';

export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/options.md': renderOptionsDoc,
  'docs/errors.md': renderErrorsDoc,
  'docs/exit-codes.md': renderExitCodesDoc,
};

if (require.main === module) {
  const root = path.join(__dirname, '..', '..');
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    fs.writeFileSync(path.join(root, file), render());
    process.stdout.write(`wrote ${file}\n`);
  }
}
