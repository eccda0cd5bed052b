import type { StorybookConfig } from '@storybook/web-components-vite';
import { pythonTextVite } from '../scripts/python-text.mjs';
import { watVite } from '../scripts/wat-vite.mjs';

/**
 * The pyodide-pool catalogue. Works offline: Pyodide is served from node_modules at
 * /pyodide/, telemetry is off, and the dev server is cross-origin isolated so
 * interrupts keep workers warm.
 */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  addons: ['@storybook/addon-docs'],
  core: { disableTelemetry: true, crossOriginIsolated: true },
  staticDirs: [{ from: '../node_modules/pyodide', to: '/pyodide' }],
  async viteFinal(viteConfig) {
    // Pre-bundling Pyodide breaks its fixed-name file loading and, on a cold cache,
    // makes Vite reload the page mid-story.
    viteConfig.optimizeDeps = { ...viteConfig.optimizeDeps, exclude: [...(viteConfig.optimizeDeps?.exclude ?? []), 'pyodide'] };
    // The runtime's Python is imported as text (see scripts/python-text.mjs), in workers too.
    viteConfig.worker = { ...viteConfig.worker, format: 'es', plugins: () => [pythonTextVite()] };
    // A story's WebAssembly text is imported as the URL of its compiled .wasm.
    viteConfig.plugins = [pythonTextVite(), watVite(), ...(viteConfig.plugins ?? [])];
    return viteConfig;
  },
};

export default config;
