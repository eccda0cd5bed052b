/**
 * A `.py` file imported from TypeScript is its text: every bundler the project uses loads
 * it so (esbuild's `text` loader, scripts/python-text.mjs for the dev server and Vite).
 */
declare module '*.py' {
  const source: string;
  export default source;
}
