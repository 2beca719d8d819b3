/**
 * workerd refuses to compile WebAssembly from bytes at run time ("Wasm code generation
 * disallowed by embedder", cloudflare/workerd#3345). Wrangler imports `.wasm` files as
 * already compiled `WebAssembly.Module`s, so onnxruntime-web's loader, which calls
 * `WebAssembly.instantiate(bytes, imports)`, is answered with the imported Module instead.
 *
 * The wrapper is global: install it from the Worker entry only (never from shared code),
 * once, at module scope. Calls that already pass a Module go straight through.
 */
type Instantiate = typeof WebAssembly.instantiate;

const PATCHED = Symbol.for('captcha-ocr.wasm-instantiate');

export function answerInstantiateWith(module: WebAssembly.Module): void {
  const current = WebAssembly.instantiate as Instantiate & { [PATCHED]?: true };
  if (current[PATCHED]) return;
  const original = current.bind(WebAssembly) as (source: unknown, imports?: WebAssembly.Imports) => Promise<unknown>;
  const patched = (source: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    if (source instanceof WebAssembly.Module) return original(source, imports);
    return (original(module, imports) as Promise<WebAssembly.Instance>).then((instance) => ({ instance, module }));
  };
  Object.defineProperty(patched, PATCHED, { value: true });
  WebAssembly.instantiate = patched as unknown as Instantiate;
}
