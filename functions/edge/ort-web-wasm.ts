/**
 * onnxruntime-web's wasm backend, made to run under workerd (see docs/deployment.md,
 * "Cloudflare Workers"): the wasm-only entry, its wasm imported as a compiled module,
 * one thread, no proxy worker, and a placeholder `wasmBinary` so that ORT uses its
 * built-in loader instead of looking for its own URL (`import.meta.url` is undefined
 * in workerd). Importing this module installs the global `WebAssembly.instantiate`
 * wrapper: import it from the Worker entry only.
 */
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { answerInstantiateWith } from './wasm-instantiate.ts';

answerInstantiateWith(ortWasm);
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
// Any small non-empty buffer: the wrapper answers with the imported module, never compiles these bytes.
ort.env.wasm.wasmBinary = new Uint8Array([0x00, 0x61, 0x73, 0x6d]);
ort.env.logLevel = 'error';

export { ort };
