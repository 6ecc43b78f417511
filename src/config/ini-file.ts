/**
 * Reads one section of an ini file into ordered key/values. Values stay raw text here:
 * placeholders, option lookup and validation happen later, in one place.
 */
import fs from 'node:fs';
import path from 'node:path';
import ini from 'ini';
import { TsuwsgiError } from '../shared/errors';
import { prepareIniText } from './ini-text';

export const DEFAULT_SECTION = 'uwsgi';

export interface IniEntry {
  /** The key as written. */
  readonly key: string;
  /** One value per occurrence, in file order; '' for a key given without a value. */
  readonly values: readonly string[];
}

export interface IniSection {
  /** The path as the user wrote it, for messages. */
  readonly shown: string;
  readonly absolutePath: string;
  readonly section: string;
  readonly entries: readonly IniEntry[];
  /** Keys written before the first section header, which uWSGI ignores too. */
  readonly outsideSection: readonly string[];
}

/** Splits `FILE.ini:section`; a plain `FILE.ini` selects [uwsgi]. */
export function splitIniSpec(spec: string): { file: string; section: string } {
  const m = /^(.+):([^:/\\]+)$/.exec(spec);
  return m ? { file: m[1], section: m[2] } : { file: spec, section: DEFAULT_SECTION };
}

export function readIniSection(file: string, section: string, cwd: string): IniSection {
  const absolutePath = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(absolutePath, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new TsuwsgiError('E_CONFIG_FILE', `${file}: cannot read the configuration file (${reason})`);
  }
  const parsed = ini.parse(prepareIniText(text), { bracketedArray: false }) as Record<string, unknown>;
  const body = Object.prototype.hasOwnProperty.call(parsed, section) ? parsed[section] : undefined;
  if (!isSection(body)) {
    throw new TsuwsgiError('E_CONFIG_SECTION', `${file}: no [${section}] section`);
  }
  return {
    shown: file,
    absolutePath,
    section,
    entries: Object.entries(body).map(([key, value]) => ({ key, values: toTexts(value) })),
    outsideSection: Object.keys(parsed).filter((key) => !isSection(parsed[key])),
  };
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `ini` turns true/false/null into JSON values and quoted numbers into numbers; the option
 * parsers want the text back. A key seen in an earlier section arrives as a one-element list,
 * because `ini` counts repeats across the whole file, so every value is treated as a list.
 */
function toTexts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? v : String(v)));
}
