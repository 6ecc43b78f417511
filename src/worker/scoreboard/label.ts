/** An entry's label, "METHOD URI", in and out of the scoreboard. */
import { LABEL_BYTES } from './layout';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Writes the label at `at`; returns its length in bytes. Method and URI are ASCII in practice
 * (nginx passes the URI percent-encoded): copied byte by byte, with no allocation on the hot
 * path. At the first other character the label is encoded as UTF-8 instead, and encodeInto
 * never splits a character, so a cut label still decodes cleanly.
 */
export function putLabel(u8: Uint8Array, at: number, method: string, uri: string): number {
  let n = 0;
  for (let i = 0; i < method.length && n < LABEL_BYTES; i++, n++) {
    const c = method.charCodeAt(i);
    if (c > 0x7f) return encodeLabel(u8, at, method, uri);
    u8[at + n] = c;
  }
  if (n < LABEL_BYTES) u8[at + n++] = 0x20;
  for (let i = 0; i < uri.length && n < LABEL_BYTES; i++, n++) {
    const c = uri.charCodeAt(i);
    if (c > 0x7f) return encodeLabel(u8, at, method, uri);
    u8[at + n] = c;
  }
  return n;
}

function encodeLabel(u8: Uint8Array, at: number, method: string, uri: string): number {
  return encoder.encodeInto(`${method} ${uri}`, u8.subarray(at, at + LABEL_BYTES)).written;
}

/** The label at `at`, split into method and URI. */
export function readLabel(u8: Uint8Array, at: number, length: number): { method: string; uri: string } {
  // Copied out first: the bytes may change under a concurrent writer (the caller checks).
  const label = decoder.decode(u8.slice(at, at + Math.min(Math.max(length, 0), LABEL_BYTES)));
  const space = label.indexOf(' ');
  return space < 0 ? { method: label, uri: '' } : { method: label.slice(0, space), uri: label.slice(space + 1) };
}
