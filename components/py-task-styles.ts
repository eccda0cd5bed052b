/** The look of `<py-task>`: its parts and custom properties (documented on the element). */
import { css } from 'lit';

export const pyTaskStyles = css`
  :host {
    display: block;
    color-scheme: light dark;
    font-family: var(--py-task-font-family, inherit);
    border: var(--py-task-border, 1px solid color-mix(in srgb, currentColor 25%, transparent));
    border-radius: var(--py-task-radius, 0.4rem);
    padding: var(--py-task-padding, 0.6rem 0.8rem);
    background: var(--py-task-background, transparent);
    --_accent: var(--py-task-accent, light-dark(#1f5fbf, #8ab4f8));
    --_error: var(--py-task-error-color, light-dark(#b00020, #ff8a80));
  }
  :host([hidden]) {
    display: none;
  }
  [part='status'] {
    font-size: 0.85em;
    opacity: 0.8;
  }
  [part='status'][data-status='running'] {
    color: var(--_accent);
    opacity: 1;
  }
  progress {
    display: block;
    width: 100%;
    accent-color: var(--_accent);
  }
  pre,
  output {
    display: block;
    margin: 0.4rem 0 0;
    font-family: var(--py-task-mono-font, ui-monospace, monospace);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  /*
   * Blocks of the output (see stdout-view.ts): appended to one at a time, and not laid
   * out or painted while off screen (a full block is given its line count as its size
   * until it was once drawn).
   */
  [part='stdout'] > span {
    display: block;
    content-visibility: auto;
    contain-intrinsic-block-size: auto 1lh;
  }
  [part='stdout-truncated'] {
    margin: 0.4rem 0 0;
    font-size: 0.85em;
    font-style: italic;
    color: var(--_error);
  }
  [part='error'] {
    color: var(--_error);
  }
  form {
    display: flex;
    gap: 0.4rem;
    align-items: baseline;
    margin: 0.4rem 0 0;
    font-family: var(--py-task-mono-font, ui-monospace, monospace);
  }
  [part='input'] {
    flex: 1;
    font: inherit;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
