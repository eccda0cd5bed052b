// What every benchmark page's pools share: where Pyodide is served, and where the base
// snapshot is. bench/run.mjs bundles the page into bench/dist/ and copies the package's
// dist/base-snapshot.bin beside it, as a bundler user would; the package's default URL
// (`../base-snapshot.bin` from its own module) would point outside bench/dist/.
export const indexURL = '/node_modules/pyodide/';
export const baseSnapshot = new URL('./base-snapshot.bin', import.meta.url).href;
