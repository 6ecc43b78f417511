/**
 * Finds a mule module's function: the name after `:` if given, else the `mule` export, else
 * the default export (module.exports for CommonJS), which must be a function.
 */
import type { ModuleTarget } from '../shared/config';
import { loadNamespace } from '../app/load';
import { TsuwsgiError } from '../shared/errors';
import type { MuleFunction } from '../shared/mules/api';

export async function loadMuleFunction(target: ModuleTarget, baseDir: string): Promise<{ fn: MuleFunction; label: string }> {
  const { ns, label } = await loadNamespace({ ...target, baseDir }, 'E_MULE_LOAD', 'the mule');
  const def = ns.default as Record<string, unknown> | undefined;
  const fromDefault = (name: string): unknown => (def !== null && (typeof def === 'object' || typeof def === 'function') ? def[name] : undefined);
  const name = target.callable;
  const picked = name !== undefined ? (ns[name] ?? fromDefault(name)) : (ns.mule ?? fromDefault('mule') ?? def);
  if (typeof picked !== 'function') {
    const wanted = name !== undefined ? `"${name}"` : '"mule" or a default export';
    throw new TsuwsgiError('E_MULE_LOAD', `${label}: no function ${wanted} to run as a mule (exports: ${Object.keys(ns).join(', ') || 'none'})`);
  }
  return { fn: picked as MuleFunction, label };
}
