/**
 * `module = TARGET[:CALLABLE]`. A target that looks like a file (starts with `.` or `/`,
 * contains `/`, or has a JavaScript/TypeScript extension) is a path; anything else, scoped
 * `@scope/name` packages included, is a package name resolved from the base directory.
 */
import path from 'node:path';
import type { Parsed } from './values';
import type { ModuleTarget } from '../shared/config';

/** What `module =` names (the same shape as a mule line's: shared/config.ts). */
export type AppTarget = ModuleTarget;

const SCRIPT_EXTENSION = /\.[cm]?[jt]s$/;

export function parseModule(text: string, baseDir: string): Parsed<AppTarget> {
  const colon = text.lastIndexOf(':');
  const target = colon === -1 ? text : text.slice(0, colon);
  const callable = colon === -1 ? undefined : text.slice(colon + 1);
  if (target === '') return { problem: 'expected path/to/app.js[:callable] or package[:callable]' };
  if (callable === '') return { problem: 'nothing after ":"; name the callable or drop the colon' };
  if (looksLikePath(target)) {
    return { value: Object.freeze({ appFile: path.resolve(baseDir, target), appPackage: undefined, callable }) };
  }
  return { value: Object.freeze({ appFile: undefined, appPackage: target, callable }) };
}

function looksLikePath(target: string): boolean {
  if (target.startsWith('.') || target.startsWith('/')) return true;
  if (target.startsWith('@')) return false;
  return target.includes('/') || SCRIPT_EXTENSION.test(target);
}
