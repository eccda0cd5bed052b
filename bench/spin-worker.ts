// A CPU-bound loop in plain JavaScript, for the machine's own parallel speedup.
self.onmessage = (event: MessageEvent<number>) => {
  let x = 0;
  for (let i = 0; i < event.data; i++) x = (x + i * 7) % 1_000_003;
  self.postMessage(x);
};
export {};
