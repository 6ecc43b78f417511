/** tsuwsgi's own version, for --version and the stats document: read once from package.json. */
import fs from 'node:fs';
import path from 'node:path';

let version: string | undefined;

export function packageVersion(): string {
  // Same relative place from src/shared (tsx) and dist/shared (built).
  version ??= (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
