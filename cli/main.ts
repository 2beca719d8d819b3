import { loadCommand, usage } from './commands.ts';
import { UsageError } from '../command/usage-error.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../package.json') as { version: string }).version);
    return 0;
  }
  const cmd = await loadCommand(name);
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
