/** Reading a `logto` file while servers still write to it. */
import fs from 'node:fs';

/**
 * The complete JSON lines of a log file. A read can land in the middle of a write, so the
 * unterminated tail is left for a later read instead of failing to parse.
 */
export function readLogLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const parts = fs.readFileSync(file, 'utf8').split('\n');
  parts.pop();
  return parts.filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
