// Builds the framework examples (small Vite apps) into examples/<framework>/dist/.
import { build } from 'vite';

for (const framework of ['react', 'vue', 'svelte']) {
  await build({ configFile: `examples/${framework}/vite.config.js` });
  console.log(`built examples/${framework}/dist/`);
}
