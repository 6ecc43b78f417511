/**
 * Prepares ini text for the `ini` package. On its own, `ini` cuts every value at the first
 * `#` or `;` anywhere, so `http://host/#frag` loses its fragment, while uwsgi.ini files in the
 * wild put `# comments` after values on every line. Here a comment starts only at a `#` or
 * `;` that begins the value or follows whitespace; everything kept is escaped so that `ini`
 * hands it back unchanged.
 */

/** A comment marker at the start or after whitespace, and everything after it. */
const INLINE_COMMENT = /(^|\s)[#;].*$/;
const SECTION = /^\s*\[([^\]]*)\]\s*$/;

export function prepareIniText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map(prepareLine)
    .join('\n');
}

function prepareLine(line: string): string {
  if (/^\s*([#;]|$)/.test(line)) return line;
  const section = SECTION.exec(stripComment(line));
  // `ini` nests sections named with dots (`[app.prod]`); escaped dots stay in the name.
  if (section) return `[${section[1].replace(/\./g, '\\.')}]`;
  const eq = line.indexOf('=');
  // A bare key reads as `key =` (no value), so `vacuum` alone behaves like `vacuum =`.
  if (eq === -1) return `${stripComment(line).trim()} =`;
  const key = line.slice(0, eq).trim();
  return `${key} = ${prepareValue(line.slice(eq + 1))}`;
}

function prepareValue(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const close = value.indexOf(quote, 1);
    // Only a whole-value quote protects comment markers; `ini` then removes the quotes.
    if (close !== -1 && stripComment(value.slice(close + 1)).trim() === '') return value.slice(0, close + 1);
  }
  return escape(stripComment(value).trim());
}

function stripComment(text: string): string {
  return text.replace(INLINE_COMMENT, '');
}

function escape(value: string): string {
  return value.replace(/[\\#;]/g, (c) => `\\${c}`);
}
