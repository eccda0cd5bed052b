// The floor: a worker that answers every message at once. `{ data, move: true }` is sent
// back with its buffer transferred (the zero-copy floor of a buffer round trip).
self.onmessage = (event: MessageEvent) => {
  const message = event.data as { data?: Uint8Array; move?: boolean } | number;
  self.postMessage(message, { transfer: typeof message === 'object' && message.move && message.data ? [message.data.buffer as ArrayBuffer] : [] });
};
export {};
