import type { Command } from '../command/args.ts';
import { intFlag, parseFlags } from '../command/args.ts';
import { MODEL_FLAGS, MODEL_HELP, providersFlag, workersFlag } from './cli-recognizer.ts';
import { startNodeServer } from '../functions/node/server.ts';

export const serveCommand: Command = {
  summary: 'serve the HTTP API and the web page',
  help: `Usage: captcha-ocr serve [--model M] [--port N] [--host H] [--providers LIST] [--workers N|auto]

Serves GET / (web page), GET /health, GET /model, POST /decode and POST /score (README: HTTP API)
with onnxruntime-node, micro-batching concurrent requests.

Options:
${MODEL_HELP}
  --port N          port (default $PORT, else 8787)
  --host H          address to listen on (default $HOST, else 127.0.0.1; 0.0.0.0 for all)
Environment: API_KEY (require Authorization: Bearer KEY or x-api-key), CORS_ORIGIN (* or a list),
ORT_THREADS (onnxruntime threads per worker), limits MAX_BODY_BYTES, MAX_ARCHIVE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGES_PER_REQUEST,
MAX_ARCHIVE_ENTRIES, MAX_UNCOMPRESSED_BYTES, MAX_COMPRESSION_RATIO, REQUEST_TIMEOUT_MS.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...MODEL_FLAGS, port: { type: 'string', short: 'p' }, host: { type: 'string' } });
    const server = await startNodeServer({ modelPath: values.model, port: intFlag('port', values.port, 0, 65535), host: values.host, providers: providersFlag(values.providers), workers: workersFlag(values.workers) });
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
