/**
 * The packages a worker's boot loads into Pyodide, checked: Pyodide's `loadPackage`
 * resolves even when a package failed, so what actually arrived is compared with what was
 * asked for, and a failure says where the package was looked for (`package-help.ts`).
 * Also which loaded packages a memory snapshot cannot hold.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { BootConfig } from '../shared/protocol.js';
import { BootFailed } from '../shared/boot-failed.js';
import { lookUpPackage, packageHelp } from './package-help.js';

/** Where Pyodide looks for its lock file and wheels: only what the pool was given. */
export function packageOptions(config: BootConfig): { packageBaseUrl?: string; lockFileURL?: string } {
  return { ...(config.packageBaseUrl && { packageBaseUrl: config.packageBaseUrl }), ...(config.lockFileURL && { lockFileURL: config.lockFileURL }) };
}

/** Normalised distribution name, as Pyodide keys `loadedPackages`. */
function distName(spec: string): string {
  const file = spec.includes('/') || spec.endsWith('.whl') ? spec.slice(spec.lastIndexOf('/') + 1).split('-')[0]! : spec;
  return file.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Load `packages` (names or wheel URLs); a {@link BootFailed} names the first that did not arrive. */
export async function loadPackages(pyodide: PyodideAPI, packages: string[]): Promise<void> {
  if (packages.length === 0) return;
  const errors: string[] = [];
  let thrown: unknown;
  try {
    await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
  } catch (err) {
    thrown = err;
  }
  // loadPackage resolves even when a package failed; check what actually arrived.
  const loaded = new Set(Object.keys(pyodide.loadedPackages).map(distName));
  for (const spec of packages) {
    if (loaded.has(distName(spec))) continue;
    const at = errors.findIndex((m) => m.includes(distName(spec)) || m.includes(spec));
    // Pyodide says "The following error occurred while loading x:", then the error.
    const detail = at < 0 ? (errors[0] ?? String(thrown ?? 'not found')) : errors[at]!.endsWith(':') && errors[at + 1] ? `${errors[at]} ${errors[at + 1]}` : errors[at]!;
    // A name (not a wheel URL): say where it was looked for and how to make it loadable.
    const help = spec.includes('/') || spec.endsWith('.whl') ? '' : `; ${packageHelp(spec, lookUpPackage(pyodide as never, spec))}`;
    throw new BootFailed({ kind: 'config', packageName: spec, message: `package '${spec}' could not be loaded: ${detail}${help}` });
  }
}

/**
 * The loaded packages that brought binary extensions (shared libraries): those whose
 * wheel is not platform-independent, or any library the dynamic linker loaded.
 */
export function binaryPackages(pyodide: PyodideAPI): string[] {
  const names = new Set<string>();
  const lock = (pyodide as unknown as { lockfile?: { packages?: Record<string, { file_name?: string; package_type?: string }> } }).lockfile?.packages ?? {};
  for (const [name, source] of Object.entries(pyodide.loadedPackages)) {
    const file = (lock[name]?.file_name ?? (typeof source === 'string' && source.endsWith('.whl') ? source : '')).split('/').pop() ?? '';
    if (lock[name]?.package_type === 'shared_library' || (file.endsWith('.whl') && !file.endsWith('-any.whl'))) names.add(name);
  }
  const ldso = (pyodide as unknown as { _module?: { LDSO?: { loadedLibsByName?: Record<string, unknown> } } })._module?.LDSO?.loadedLibsByName;
  if (names.size === 0 && ldso) for (const lib of Object.keys(ldso)) if (lib.endsWith('.so')) names.add(lib.split('/').pop()!);
  return [...names];
}
