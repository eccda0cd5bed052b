// `import url from './name.wat'`: the URL of the compiled .wasm (scripts/wat-vite.mjs).
declare module '*.wat' {
  const url: string;
  export default url;
}
