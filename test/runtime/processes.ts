/** Child processes for runtime tests: a free loopback port, start-until-ready, and group kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Kills the process and its children (its own process group) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `command` in its own process group and resolves once `ready` matches its output
 * (stdout or stderr); rejects on exit or after `timeoutMs`, killing the group.
 */
export function startProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number }): Promise<Started> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async (): Promise<void> => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await exit;
      clearTimeout(timer);
    }
  };
  return new Promise<Started>((resolve, reject) => {
    const started: Started = { child, output: () => text, stop };
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`${command} not ready after ${options.timeoutMs} ms:\n${text}`)));
    }, options.timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (options.ready.test(text)) {
        clearTimeout(timer);
        resolve(started);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before it was ready (code ${child.exitCode}):\n${text}`));
    });
  });
}
