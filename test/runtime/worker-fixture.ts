/**
 * A Worker project around a test model: an entry like functions/edge/worker.ts whose model
 * imports point at the given files, and a wrangler.toml with the repository's rules, in a
 * temporary folder. Built with the same script as production (scripts/build-edge.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelMetadata, sidecarPath } from '../../core/model-contract.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Environment for wrangler in tests: no telemetry, no update check, no Request.cf download, config in a temp dir. */
export function wranglerEnv(configHome: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: configHome,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    MINIFLARE_CACHE_DIR: join(configHome, 'miniflare-cache'),
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
}

export interface WorkerProject {
  readonly dir: string;
  readonly config: string;
  readonly entry: string;
}

/**
 * Writes DIR/entry.ts + DIR/wrangler.toml for a Worker serving `modelPath` (+ its .json) as
 * `default`, and the models of `more` (name -> .onnx path) under their names.
 */
export function writeWorkerProject(modelPath: string, vars: Record<string, string> = {}, dir = mkdtempSync(join(tmpdir(), 'captcha-ocr-worker-')), more: Record<string, string> = {}): WorkerProject {
  mkdirSync(dir, { recursive: true });
  const metadataOf = (onnx: string) => readFileSync(sidecarPath(resolve(onnx)), 'utf8').trim();
  const createWorker = join(REPO, 'functions/edge/create-worker.ts');
  const entry = join(dir, 'entry.ts');
  // each model as `{ model, metadata }`, with `secondLook` when its metadata names one that exists (bundled beside it)
  const imports: string[] = [];
  const bundled = (path: string): string => {
    const id = `model${imports.length}`;
    imports.push(`import ${id} from ${JSON.stringify(resolve(path))};`);
    const metadata = metadataOf(path);
    const named = parseModelMetadata(JSON.parse(metadata)).secondLook?.model;
    const second = named === undefined ? undefined : join(dirname(resolve(path)), named);
    return `{ model: ${id}, metadata: ${metadata}${second && existsSync(second) ? `, secondLook: ${bundled(second)}` : ''} }`;
  };
  const first = bundled(modelPath);
  const extra = Object.entries(more).map(([name, path]) => `${JSON.stringify(name)}: ${bundled(path)}`);
  writeFileSync(entry, [...imports, `import { createWorker } from ${JSON.stringify(createWorker)};`, `export default createWorker(${first}, { ${extra.join(', ')} });`, ''].join('\n'));
  const repoToml = readFileSync(join(REPO, 'wrangler.toml'), 'utf8');
  const compat = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(repoToml)?.[1] ?? '2026-04-26';
  const varLines = Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const config = join(dir, 'wrangler.toml');
  writeFileSync(
    config,
    [
      'name = "captcha-ocr-test"',
      'main = "entry.ts"',
      `compatibility_date = "${compat}"`,
      'minify = true',
      '[[rules]]',
      'type = "Data"',
      'globs = ["**/*.onnx"]',
      'fallthrough = true',
      ...(varLines.length > 0 ? ['[vars]', ...varLines] : []),
      '',
    ].join('\n'),
  );
  return { dir, config, entry };
}

export interface BundleReport {
  readonly outdir: string;
  readonly files: readonly { name: string; bytes: number; gzipBytes: number }[];
  readonly totalBytes: number;
  readonly gzipBytes: number;
  readonly inputs: number;
  readonly forbidden: readonly string[];
  readonly fits: Record<string, boolean>;
}

/** `node scripts/build-edge.mjs --config CONFIG --outdir OUTDIR`; returns its report and output. */
export function buildWorker(config: string, outdir: string): { status: number | null; output: string; report?: BundleReport } {
  const run = spawnSync(process.execPath, [join(REPO, 'scripts/build-edge.mjs'), '--config', config, '--outdir', outdir], { cwd: REPO, encoding: 'utf8' });
  let report: BundleReport | undefined;
  try {
    report = JSON.parse(readFileSync(join(outdir, 'bundle-report.json'), 'utf8')) as BundleReport;
  } catch {
    report = undefined;
  }
  return { status: run.status, output: run.stdout + run.stderr, report };
}
