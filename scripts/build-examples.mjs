// Builds the framework examples (small Vite apps) into examples/<framework>/dist/, with the
// base snapshot `npm run build` made beside their bundles, where the pool looks for it
// (a first visit to a demo then starts Python from it rather than cold).
import { copyFileSync, existsSync } from 'node:fs';
import { build } from 'vite';

for (const framework of ['react', 'vue', 'svelte']) {
  await build({ configFile: `examples/${framework}/vite.config.js` });
  if (existsSync('dist/base-snapshot.bin')) copyFileSync('dist/base-snapshot.bin', `examples/${framework}/dist/base-snapshot.bin`);
  console.log(`built examples/${framework}/dist/`);
}
