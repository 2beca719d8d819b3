/** The Worker under workerd, through `wrangler dev` (the same as `npm run dev:edge`) on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './processes.ts';
import { REPO, wranglerEnv } from './worker-fixture.ts';

export interface RunningWorker {
  readonly url: string;
  readonly startMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Start-up attempts: a port freePort() handed out can be taken by another process before wrangler binds it. */
const ATTEMPTS = 3;

export async function startWranglerDev(config: string, options: { timeoutMs?: number } = {}): Promise<RunningWorker> {
  const home = mkdtempSync(join(tmpdir(), 'captcha-ocr-wrangler-home-'));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(config, home, options.timeoutMs ?? 60_000);
    } catch (error) {
      if (attempt >= ATTEMPTS || !/Address already in use/.test((error as Error).message)) {
        rmSync(home, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function startOnce(config: string, home: string, timeoutMs: number): Promise<RunningWorker> {
  const [port, inspector] = [await freePort(), await freePort()];
  const args = [
    join(REPO, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspector), '--persist-to', join(home, 'state'), '--show-interactive-dev-session=false', '--log-level', 'info',
  ];
  const t0 = performance.now();
  const started = await startProcess(process.execPath, args, { cwd: REPO, env: wranglerEnv(home), ready: /Ready on http:\/\/127\.0\.0\.1:\d+/, timeoutMs });
  return {
    url: `http://127.0.0.1:${port}`,
    startMs: performance.now() - t0,
    output: started.output,
    stop: async () => {
      await started.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
