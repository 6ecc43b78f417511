/**
 * Escapes for request-controlled text on its way to a human: a `\n` in a URI must not forge a
 * log line, an ESC or a C1 CSI (U+009B) must not drive the reader's terminal.
 *
 * `escapeText` is nginx's access-log default (`log_format … escape=default`,
 * `ngx_http_log_escape`): `"`, `\`, and every byte below 0x20 or from 0x7f up become `\xHH`
 * (upper-case hex). Request strings here are latin1 (one char per byte on the wire: the uwsgi
 * vars and Node's HTTP headers are decoded so), so char = byte; a char above U+00FF (only an
 * app can make one) is escaped as its UTF-8 bytes, as nginx would see them.
 *
 * Both return the string itself when nothing needs escaping: no allocation on the common path.
 */

const HEX = '0123456789ABCDEF';

function hex(byte: number): string {
  return `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
}

function utf8Escaped(ch: string): string {
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += hex(b);
  return out;
}

/** nginx escape=default: `"`, `\`, < 0x20 and >= 0x7f as `\xHH`. */
export function escapeText(s: string): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  while (i < s.length) {
    const c = s.codePointAt(i) as number;
    const width = c > 0xffff ? 2 : 1;
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && c <= 0xff)) out += hex(c);
    else if (c > 0xff) out += utf8Escaped(s.slice(i, i + width));
    else out += s[i];
    i += width;
  }
  return out;
}

const CONTROLS = /[\x00-\x1f\x7f-\x9f]/;
const CONTROLS_ALL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Only the control characters (C0, DEL, C1) as `\xHH`: for text that is shown, not parsed
 * back, where quotes and backslashes are harmless (a terminal screen, pino-pretty's lines).
 */
export function escapeControls(s: string): string {
  return CONTROLS.test(s) ? s.replace(CONTROLS_ALL, (c) => hex(c.charCodeAt(0))) : s;
}

const JSON_RAW = /[\x7f-\x9f]/;
const JSON_RAW_ALL = /[\x7f-\x9f]/g;

/**
 * JSON text with DEL and the C1 controls written as `\u00XX`. JSON.stringify escapes C0 but
 * leaves these raw, and a terminal showing a log file (`tail -f`) acts on a C1 CSI. In JSON
 * text they can only sit inside strings, where `\u00XX` is the same character: the line parses
 * to the same value.
 */
export function escapeJsonControls(json: string): string {
  return JSON_RAW.test(json) ? json.replace(JSON_RAW_ALL, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : json;
}

/**
 * A string as JSON text, DEL and C1 escaped as escapeJsonControls does: for a line built by
 * hand (the request line), each string escaped alone costs less than one test over the whole
 * line, which V8 must first flatten from the pieces it was concatenated from.
 */
export function jsonString(text: string): string {
  // Printable ASCII without '"' and '\\' is its own JSON text: a loop here costs less than a call
  // into JSON.stringify's C++ for the short strings of a request line (~4 % of a worker's CPU).
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) return escapeJsonControls(JSON.stringify(text));
  }
  return `"${text}"`;
}
