/**
 * Failing inputs found by the parser campaign, kept as fixtures: one JSON file per input in
 * test/fixtures/packets/found/, naming the property it broke (bytes as hex, see hex-json.ts).
 * test/unit/protocol/uwsgi-packet/found-inputs.test.ts replays every file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromHexJson, toHexJson } from '../hex-json';

export const FOUND_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'packets', 'found');

export interface FoundInput {
  property: string;
  /** How it was found: seed, batch, fast-check's path, the violation. */
  found: string;
  input: unknown;
}

export function saveFound(f: FoundInput, dir = FOUND_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${f.property}-${Date.now()}.json`);
  fs.writeFileSync(file, toHexJson(f));
  return file;
}

export function loadFound(dir = FOUND_DIR): { file: string; found: FoundInput }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, found: fromHexJson<FoundInput>(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}
