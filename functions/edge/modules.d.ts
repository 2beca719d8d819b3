// Module kinds wrangler's bundler provides (see the [[rules]] in wrangler.toml).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.onnx' {
  const bytes: ArrayBuffer;
  export default bytes;
}
// The shipped model's metadata (models/captcha-ocr.json); typed loosely, checked by parseModelMetadata.
declare module '*/models/captcha-ocr.json' {
  const metadata: unknown;
  export default metadata;
}
