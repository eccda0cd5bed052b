import { setCustomElementsManifest } from '@storybook/web-components';
import type { Preview } from '@storybook/web-components';
import manifest from '../custom-elements.json' with { type: 'json' };
import { PoolMonitorElement, PyTaskElement, WorkerPoolElement } from '../components/index.js';

// Named, not a bare `import '…'`: package.json's `sideEffects` names only the shipped
// dist/ files, so a bundler may drop a bare import of the sources. Using the classes
// keeps their modules, and with them `customElements.define`.
export const elements = [WorkerPoolElement, PyTaskElement, PoolMonitorElement];

// Docs pages (attributes, events, parts, CSS properties) come from the manifest.
setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
  },
};

export default preview;
