/**
 * Cloudflare Worker entry (wrangler.toml `main`): the shipped model, bundled into the Worker.
 * With MODEL_KEY and an R2/KV binding configured, that model is used instead (model-source.ts).
 */
import model from '../../models/captcha-ocr.onnx';
import metadata from '../../models/captcha-ocr.json' with { type: 'json' };
import { createWorker } from './create-worker.ts';

export default createWorker({ model, metadata });
