/** `node dist/config/write-options-doc.js`: regenerate docs/options.md from the option table. */
import fs from 'node:fs';
import path from 'node:path';
import { renderOptionsDoc } from './options-doc';

export const OPTIONS_DOC_PATH = path.join(__dirname, '..', '..', 'docs', 'options.md');

if (require.main === module) {
  fs.writeFileSync(OPTIONS_DOC_PATH, renderOptionsDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPTIONS_DOC_PATH)}\n`);
}
