// Starts `captcha-ocr serve` on a free loopback port in its own process, for the HTTP benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';

export interface BenchServer {
  readonly url: string;
  readonly process: ChildProcess;
}

/** Resolves with the server's URL once it logs "... at http://host:port"; rejects if it exits first. */
export async function startBenchServer(modelPath: string): Promise<BenchServer> {
  return startBenchServerWith(['--model', modelPath]);
}

/** `captcha-ocr serve ARGS --port 0`, e.g. `['--models-dir', DIR]`. */
export async function startBenchServerWith(args: readonly string[]): Promise<BenchServer> {
  const server = spawn(process.execPath, ['bin/captcha-ocr.js', 'serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    server.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /at (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, process: server };
}
