import type { Command } from './args.ts';
import { UsageError } from './usage-error.ts';

/**
 * Subcommands, loaded lazily so that `generate` never pays for TensorFlow.js or onnxruntime.
 * Each stage owns its command module; add one line here per command.
 */
const commands: Record<string, () => Promise<Command>> = {
  generate: async () => (await import('../captcha/generate-command.ts')).generateCommand,
  train: async () => (await import('../train/train-command.ts')).trainCommand,
  convert: async () => (await import('../convert/convert-command.ts')).convertCommand,
  decode: async () => (await import('../functions/node/decode-command.ts')).decodeCommand,
  score: async () => (await import('../functions/node/score-command.ts')).scoreCommand,
  serve: async () => (await import('../functions/node/serve-command.ts')).serveCommand,
};

function usage(): string {
  return [
    'Usage: captcha-ocr <command> [options]',
    '',
    'Commands:',
    ...Object.keys(commands).map((n) => `  ${n}`),
    '',
    'Run `captcha-ocr <command> --help` for the options of one command.',
  ].join('\n');
}

async function load(name: string): Promise<Command | undefined> {
  return Object.hasOwn(commands, name) ? commands[name]() : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../package.json') as { version: string }).version);
    return 0;
  }
  const cmd = await load(name);
  if (!cmd) {
    console.error(`captcha-ocr: unknown command ${JSON.stringify(name)} (try --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`captcha-ocr ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const e = error as { code?: string; message?: string };
    console.error(`captcha-ocr: ${e?.message ?? String(error)}`);
    process.exitCode = 1;
  },
);
