import { IMAGE_MIME_TYPES, sniffFormat } from '../../core/image-sniff.ts';
import { encodeBase64 } from './base64.ts';
import type { ScoreReport, ScoreRow } from './score-archive.ts';

const csvField = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Per-image rows as CSV (`?format=csv`, `captcha-ocr score --csv`), every image of the archive. */
export function rowsToCsv(rows: readonly ScoreRow[]): string {
  const head = 'file,truth,predicted,confidence,correct,edit_distance,label_source,error_code,error';
  const lines = rows.map((r) =>
    [r.file, r.truth, r.predicted, r.confidence === undefined ? '' : r.confidence.toFixed(6), r.correct === undefined ? '' : r.correct ? 1 : 0, r.editDistance, r.labelSource, r.error?.code, r.error?.message]
      .map(csvField)
      .join(','),
  );
  return [head, ...lines].join('\n') + '\n';
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A data URL for image bytes, or undefined when they are not an image. */
export function imageDataUrl(bytes: Uint8Array): string | undefined {
  const format = sniffFormat(bytes);
  return format ? `data:${IMAGE_MIME_TYPES[format]};base64,${encodeBase64(bytes)}` : undefined;
}

/**
 * The HTML report of a score (`?format=html`, `captcha-ocr score --html FILE`): summary,
 * accuracy per position, confusions as bars, and the misread images with truth and reading.
 */
export function renderReportHtml(report: ScoreReport, rows: readonly ScoreRow[], imageOf: (file: string) => Uint8Array | undefined, maxImages = 300): string {
  const misread = rows.filter((r) => r.correct === false);
  const maxCount = Math.max(1, ...report.confusions.map((c) => c.count));
  const confusionRows = report.confusions
    .map((c) => `<tr><td class="m">${escapeHtml(c.truth)} &rarr; ${escapeHtml(c.predicted)}</td><td><div class="bar" style="width:${((c.count / maxCount) * 100).toFixed(1)}%"></div></td><td>${c.count}</td></tr>`)
    .join('');
  const positions = report.positionAccuracy.map((p) => `<td>${pct(p.accuracy)}</td>`).join('');
  const cards = misread
    .slice(0, maxImages)
    .map((r) => {
      let src: string | undefined;
      try {
        const bytes = imageOf(r.file);
        src = bytes ? imageDataUrl(bytes) : undefined;
      } catch {
        src = undefined;
      }
      const img = src ? `<img src="${src}" alt="${escapeHtml(r.file)}">` : '';
      return `<figure>${img}<figcaption><span class="f">${escapeHtml(r.file)}</span><br>truth <b class="m">${escapeHtml(r.truth ?? '')}</b> read <b class="m bad">${escapeHtml(r.predicted ?? '')}</b> (${pct(r.confidence ?? 0)})</figcaption></figure>`;
    })
    .join('');
  const failed = report.failed
    .slice(0, 200)
    .map((f) => `<li><span class="f">${escapeHtml(f.file)}</span>: ${escapeHtml(f.reason)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>captcha-ocr score report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em}.card b{font-size:1.6em;display:block}
.bar{background:#c0392b;height:12px;min-width:2px}td:nth-child(2){width:300px}.m{font-family:ui-monospace,monospace}.bad{color:#c0392b}
figure{display:inline-block;margin:.4em;border:1px solid #ddd;padding:4px}figure img{display:block;max-width:240px;image-rendering:pixelated}.f{color:#666;font-size:12px}</style></head>
<body><h1>Score report</h1>
<p>Model <b>${escapeHtml(report.model.name)}</b> (${escapeHtml(report.model.architecture)}), ${report.total} images, ${report.scored} scored, ${report.failed.length} failed, ${report.elapsedMs} ms.</p>
<div class="cards"><div class="card"><b>${pct(report.sequenceAccuracy)}</b>sequence accuracy</div><div class="card"><b>${pct(report.characterAccuracy)}</b>character accuracy</div>
<div class="card"><b>${pct(report.characterErrorRate)}</b>character error rate</div><div class="card"><b>${pct(report.meanConfidence)}</b>mean confidence</div></div>
<h2>Accuracy per position</h2><table><tr>${report.positionAccuracy.map((p) => `<th>${p.position + 1}</th>`).join('')}</tr><tr>${positions}</tr></table>
<h2>Most frequent confusions</h2><table>${confusionRows || '<tr><td>none</td></tr>'}</table>
<h2>Misread images (${misread.length}${misread.length > maxImages ? `, first ${maxImages} shown` : ''})</h2><div>${cards || 'none'}</div>
${failed ? `<h2>Failed (${report.failed.length})</h2><ul>${failed}</ul>` : ''}
</body></html>`;
}
