import type { Command } from '../command/args.ts';
import { intFlag, parseFlags } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { providersFlag } from '../command/providers-flag.ts';
import { inferenceWorkers, MODEL_FLAGS, MODEL_HELP } from './cli-recognizer.ts';
import { startNodeServer } from '../functions/node/server.ts';

export const serveCommand: Command = {
  summary: 'serve the HTTP API and the web page',
  help: `Usage: captcha-ocr serve [--model M | --models-dir DIR] [--port N] [--host H] [--providers LIST] [--workers N|auto]

Serves GET / (web page), GET /health, GET /model, GET /models, POST /decode and POST /score (README: HTTP API)
with onnxruntime-node, micro-batching concurrent requests.

Options:
${MODEL_HELP}
  --models-dir DIR  serve every NAME.onnx (+ NAME.json) of DIR, picked by ?model=NAME (default $MODELS_DIR;
                    ?model= absent: default.onnx, or the only one); all loaded at start, each with its own
                    --workers threads, within $MODELS_MAX_RSS_MB of RSS (default 1024)
  --port N          port (default $PORT, else 8787)
  --host H          address to listen on (default $HOST, else 127.0.0.1; 0.0.0.0 for all)
Environment: API_KEY (require Authorization: Bearer KEY or x-api-key), CORS_ORIGIN (* or a list),
ORT_THREADS (onnxruntime threads of a model run: every core on the main thread, 1 per worker), limits MAX_BODY_BYTES, MAX_ARCHIVE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGES_PER_REQUEST,
MAX_ARCHIVE_ENTRIES, MAX_UNCOMPRESSED_BYTES, MAX_COMPRESSION_RATIO, REQUEST_TIMEOUT_MS.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...MODEL_FLAGS, 'models-dir': { type: 'string' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } });
    if (values.model !== undefined && values['models-dir'] !== undefined) throw new UsageError('use --model or --models-dir, not both');
    const server = await startNodeServer({ modelPath: values.model, modelsDir: values['models-dir'], port: intFlag('port', values.port, 0, 65535), host: values.host, providers: providersFlag(values.providers), workers: inferenceWorkers(values.workers) });
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        console.log('captcha-ocr: shutting down');
        server.close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
