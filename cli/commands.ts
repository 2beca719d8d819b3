import type { Command } from '../command/args.ts';

/**
 * Subcommands, loaded lazily so that `generate` never pays for TensorFlow.js or onnxruntime.
 * Each stage owns its command module; add one line here per command.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  generate: async () => (await import('../captcha/generate-command.ts')).generateCommand,
  train: async () => (await import('../train/train-command.ts')).trainCommand,
  convert: async () => (await import('../convert/convert-command.ts')).convertCommand,
  decode: async () => (await import('./decode-command.ts')).decodeCommand,
  score: async () => (await import('./score-command.ts')).scoreCommand,
  serve: async () => (await import('./serve-command.ts')).serveCommand,
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** The named command, or undefined for an unknown name. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]() : undefined;
}

/** `captcha-ocr --help`: every command with its summary (this one loads every command module). */
export async function usage(): Promise<string> {
  const commands = await Promise.all(COMMAND_NAMES.map((name) => COMMANDS[name]()));
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length));
  return [
    'Usage: captcha-ocr <command> [options]',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((name, i) => `  ${name.padEnd(width)}  ${commands[i].summary}`),
    '',
    'Run `captcha-ocr <command> --help` for the options of one command.',
  ].join('\n');
}
