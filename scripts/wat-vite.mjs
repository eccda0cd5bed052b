// Vite (Storybook): `import url from './name.wat'` is the URL of the module compiled from
// that WebAssembly text with wabt (scripts/wat.mjs). A build emits it as a .wasm file
// beside the bundle; the dev server, which cannot emit files, inlines it as a data: URL.
// The catalogue has no test server to compile fixtures on request, so this is how a
// story gets a real .wasm to hand to a WasmPool.
import { basename } from 'node:path';
import { compileWat } from './wat.mjs';

export function watVite() {
  let serving = false;
  return {
    name: 'wat-to-wasm',
    enforce: 'pre',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    async load(id) {
      const file = id.split('?')[0];
      if (!file.endsWith('.wat')) return undefined;
      this.addWatchFile(file);
      const bytes = Buffer.from(await compileWat(file));
      if (serving) return { code: `export default ${JSON.stringify(`data:application/wasm;base64,${bytes.toString('base64')}`)};`, moduleType: 'js' };
      const ref = this.emitFile({ type: 'asset', name: `${basename(file, '.wat')}.wasm`, source: bytes });
      return { code: `export default import.meta.ROLLUP_FILE_URL_${ref};`, moduleType: 'js' };
    },
  };
}
