/** JSON with byte strings written as {"$hex": "..."}: readable, diffable fixtures of raw input. */

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

export function toHexJson(value: unknown): string {
  return `${JSON.stringify(value, replacer, 2)}\n`;
}

export function fromHexJson<T>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
