/**
 * The listen backlog asked for, clamped to what the kernel grants: listen(2) silently truncates
 * to net.core.somaxconn, so a larger `listen` would promise a queue that does not exist.
 */
import fs from 'node:fs';

export function somaxconn(): number | undefined {
  try {
    const n = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function effectiveBacklog(wanted: number, kernelMax = somaxconn()): { backlog: number; clamped: boolean } {
  if (kernelMax !== undefined && wanted > kernelMax) return { backlog: kernelMax, clamped: true };
  return { backlog: wanted, clamped: false };
}
