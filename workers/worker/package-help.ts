/**
 * What a worker says when a named Pyodide package could not be loaded: where it was
 * looked for (the lock file and `packageBaseUrl` in use) and how to make it loadable.
 *
 * @internal
 */

/** The folder of the full Pyodide distribution of `version` on the jsDelivr CDN (every package's wheel). */
export function cdnPackageBaseUrl(version: string): string {
  return `https://cdn.jsdelivr.net/pyodide/v${version}/full/`;
}

/** Where a worker's Pyodide looked for a package. */
export interface PackageLookup {
  /** `pyodide.version`. */
  version: string;
  /** The lock file read (`lockFileURL`, or `indexURL`'s `pyodide-lock.json`); undefined if unknown. */
  lockFileURL: string | undefined;
  /** Whether the pool set `lockFileURL` (else the lock file is `indexURL`'s). */
  lockFileSet: boolean;
  /** Where relative wheel names resolve (`pyodide.lockfileBaseUrl`); undefined if unknown. */
  packageBaseUrl: string | undefined;
  /** The package's wheel file name in the lock file; undefined when the lock file does not list it. */
  fileName: string | undefined;
}

/** The folder of `url` (up to its last `/`), as Pyodide takes a lock file's. */
function folder(url: string): string {
  return url.slice(0, url.lastIndexOf('/') + 1);
}

/** The fix for `name`, a package name (not a wheel URL) that did not load. */
export function packageHelp(name: string, at: PackageLookup): string {
  const lock = at.lockFileURL ? `${at.lockFileSet ? 'lockFileURL' : "indexURL's lock file"} ${at.lockFileURL}` : 'the lock file';
  if (at.fileName === undefined) {
    return `'${name}' is not in ${lock}, so Pyodide ${at.version} does not know it: give the URL of its wheel in packages instead, or set lockFileURL to a lock file that lists it`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(at.fileName))
    return `its wheel's URL in ${lock} is ${at.fileName}: check that it is served there, or list the package's wheel elsewhere in a lock file of your own (lockFileURL)`;
  const cdn = cdnPackageBaseUrl(at.version);
  const base = at.packageBaseUrl;
  const baseNote = base === undefined ? 'packageBaseUrl' : `packageBaseUrl ${base}${at.lockFileURL && base === folder(at.lockFileURL) ? " (the lock file's folder)" : ''}`;
  const where = `its wheel ${at.fileName} (listed in ${lock}) was looked for under ${baseNote}`;
  if (base === cdn) return `${where}, the full distribution already: check that the page can reach it (network, a Content-Security-Policy's connect-src)`;
  return (
    `${where}. The npm package 'pyodide' holds the runtime only, no package wheels: ` +
    `self-host the full Pyodide ${at.version} distribution at indexURL (or wherever packageBaseUrl points), ` +
    `or load packages from the CDN while the runtime stays self-hosted with packageBaseUrl: '${cdn}'`
  );
}

/** Python's normalized package name (PEP 503), as Pyodide's lock file keys them. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The parts of a Pyodide instance read here: public ones, and its config (private, may be absent). */
interface PyodideLike {
  version: string;
  lockfile?: { packages?: Record<string, { name?: unknown; file_name?: unknown }> };
  lockfileBaseUrl?: string;
  _api?: { config?: { indexURL?: unknown; lockFileURL?: unknown } };
}

/** Where `pyodide` looked for the package `name`. */
export function lookUpPackage(pyodide: PyodideLike, name: string): PackageLookup {
  const key = normalized(name);
  let fileName: string | undefined;
  let packageBaseUrl: string | undefined;
  let config: { indexURL?: unknown; lockFileURL?: unknown } | undefined;
  try {
    const packages = pyodide.lockfile?.packages ?? {};
    const entry = Object.entries(packages).find(([k, p]) => normalized(k) === key || (typeof p?.name === 'string' && normalized(p.name) === key))?.[1];
    if (typeof entry?.file_name === 'string') fileName = entry.file_name;
    if (typeof pyodide.lockfileBaseUrl === 'string') packageBaseUrl = pyodide.lockfileBaseUrl;
    config = pyodide._api?.config;
  } catch {
    // A Pyodide without these: the message says less.
  }
  const set = typeof config?.lockFileURL === 'string' ? config.lockFileURL : undefined;
  const index = typeof config?.indexURL === 'string' ? config.indexURL : undefined;
  return { version: pyodide.version, lockFileURL: set ?? (index && `${index}pyodide-lock.json`), lockFileSet: set !== undefined, packageBaseUrl, fileName };
}
