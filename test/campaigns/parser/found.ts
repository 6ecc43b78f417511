/**
 * Failing inputs found by the parser campaign, kept as fixtures: one JSON file per input in
 * test/fixtures/packets/found/, naming the property it broke. Buffers are written as hex so the
 * file is readable and diffable; test/unit/protocol/found-inputs.test.ts replays every file.
 */
import fs from 'node:fs';
import path from 'node:path';

export const FOUND_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'packets', 'found');

export interface FoundInput {
  property: string;
  /** How it was found: seed, batch, fast-check's path, the violation. */
  found: string;
  input: unknown;
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return { $hex: Buffer.from(raw).toString('hex') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { $hex?: unknown }).$hex === 'string') {
    return Buffer.from((value as { $hex: string }).$hex, 'hex');
  }
  return value;
}

export function saveFound(f: FoundInput, dir = FOUND_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${f.property}-${Date.now()}.json`);
  fs.writeFileSync(file, `${JSON.stringify(f, replacer, 2)}\n`);
  return file;
}

export function loadFound(dir = FOUND_DIR): { file: string; found: FoundInput }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, found: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'), reviver) as FoundInput }));
}
