/**
 * Python written inside HTML is indented with the markup around it; Python itself cares.
 * Removes blank leading/trailing lines and the indentation common to all lines.
 */
export function dedent(source: string): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.match(/^[ \t]*/)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** The direct child `<script type="…">` elements of `host` of that type. */
export function childScripts(host: Element, type: 'text/python' | 'text/python-file'): HTMLScriptElement[] {
  return [...host.children].filter((child): child is HTMLScriptElement => child.localName === 'script' && child.getAttribute('type') === type);
}

/** Python in the first direct child `<script type="text/python">` of `host`, or undefined. */
export function childPython(host: Element): string | undefined {
  const script = childScripts(host, 'text/python')[0];
  return script ? dedent(script.textContent ?? '') : undefined;
}

/** The direct child `<script type="text/python-file" path="…">` elements, as path → text. */
export function childPythonFiles(host: Element): Record<string, string> {
  const files: Record<string, string> = {};
  for (const script of childScripts(host, 'text/python-file')) files[script.getAttribute('path') ?? ''] = dedent(script.textContent ?? '');
  return files;
}

/** A result as readable text: strings as they are, everything else as JSON-like text. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      return v;
    },
    2,
  );
}
