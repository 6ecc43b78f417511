import type { Config } from './config';

/**
 * Whether the worker's main thread runs app thread 0. It then costs what threads = 1 costs until
 * more threads are needed; with threads-min > 1 it supervises them instead (docs/design-notes.md,
 * "App threads on demand").
 */
export function mainThreadServes(config: Pick<Config, 'threads' | 'threadsMin'>): boolean {
  return config.threads === 1 || config.threadsMin === 1;
}
