/**
 * Cloudflare Worker entry (wrangler.toml `main`): the shipped model, bundled into the Worker as
 * `default`, with its second look (models/captcha-ocr.second.onnx, docs/api.md "A second look").
 * With MODEL_KEY and an R2/KV binding configured, that model is used instead (model-source.ts).
 * More models for `?model=NAME` (docs/deployment.md, "Several models on the Worker"): import NAME.onnx and
 * NAME.json below and add `NAME: { model, metadata }` to the second argument, e.g.
 *   import site from '../../models-dir/site.onnx';
 *   import siteMetadata from '../../models-dir/site.json' with { type: 'json' };
 *   export default createWorker({ model, metadata }, { site: { model: site, metadata: siteMetadata } });
 * A model whose metadata names a second look (`secondLook`, docs/api.md) needs that file bundled
 * beside it, as `{ model, metadata, secondLook: { model: second, metadata: secondMetadata } }`.
 */
import model from '../../models/captcha-ocr.onnx';
import metadata from '../../models/captcha-ocr.json' with { type: 'json' };
import second from '../../models/captcha-ocr.second.onnx';
import secondMetadata from '../../models/captcha-ocr.second.json' with { type: 'json' };
import { createWorker } from './create-worker.ts';

export default createWorker({ model, metadata, secondLook: { model: second, metadata: secondMetadata } }, {});
