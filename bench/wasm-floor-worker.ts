// The floor of a WasmPool call: one worker holding one instance, answering each call at
// once. The page sends the compiled module first (answered 'ready'), then calls as
// `[id, exportName, a, b]`, answered `[id, result]`: the id lets several callers keep
// calls in flight on one worker. No bookkeeping, no checks, no batching.
type Call = [id: number, name: string, a: number, b: number];

let exports: Record<string, (a: number, b: number) => number> = {};

self.onmessage = (event: MessageEvent<WebAssembly.Module | Call>) => {
  const message = event.data;
  if (message instanceof WebAssembly.Module) {
    void WebAssembly.instantiate(message).then((instance) => {
      exports = instance.exports as typeof exports;
      self.postMessage('ready');
    });
    return;
  }
  const [id, name, a, b] = message;
  self.postMessage([id, exports[name]!(a, b)]);
};
export {};
