/**
 * Where the true text of an image in an archive (or folder) comes from, in this order:
 * 1. `labels.csv` (`file,label`; a header row is optional) in the image's folder or an
 *    ancestor, the file named relative to the CSV's folder or by its base name;
 * 2. `labels.txt` in the image's folder: line i is the text of the image named `i.*` (the
 *    seed data set's layout);
 * 3. the file name: `AKNC.png` and `AKNC_17.jpg` are both labelled `AKNC`.
 * Names are data: they are only compared as strings.
 */
export type LabelSource = 'labels.csv' | 'labels.txt' | 'file name';

export interface LabelLookup {
  readonly label?: string;
  readonly source?: LabelSource;
  /** Why there is no label, when `label` is undefined. */
  readonly reason?: string;
}

export interface LabelFile {
  readonly name: string;
  readonly text: string;
}

/** Splits `a/b/c.png` into `a/b/` and `c.png` (either slash). */
export function splitName(name: string): [dir: string, base: string] {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return [name.slice(0, i + 1), name.slice(i + 1)];
}

export function stem(base: string): string {
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Whether an archive entry is a labels file (`labels.txt` / `labels.csv`, any folder, any case). */
export function labelFileKind(name: string): 'labels.txt' | 'labels.csv' | undefined {
  const base = splitName(name)[1].toLowerCase();
  return base === 'labels.txt' ? 'labels.txt' : base === 'labels.csv' ? 'labels.csv' : undefined;
}

/** Operating-system clutter that is not part of a data set: `__MACOSX/`, dot files, `Thumbs.db`. */
export function isClutter(name: string): boolean {
  const parts = name.split(/[\\/]/);
  const base = parts[parts.length - 1];
  return parts.includes('__MACOSX') || base.startsWith('.') || base.toLowerCase() === 'thumbs.db' || base.toLowerCase() === 'desktop.ini';
}

/** Lines of a labels.txt: one text per line, trailing whitespace and CR dropped. */
export function parseLabelsTxt(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** One CSV record per line; fields may be double-quoted (`""` is a quote). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      out.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
  return out;
}

/** labels.csv -> file name => label. A first row `file,label` (any case) is a header. */
export function parseLabelsCsv(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const [file, label] = parseCsvLine(line);
    if (file === undefined || label === undefined) return;
    if (i === 0 && /^(file|filename|name|path|image)$/i.test(file) && /^(label|text|truth|answer)$/i.test(label)) return;
    map.set(file, label.trim());
  });
  return map;
}

/** `AKNC.png` -> `AKNC`, `AKNC_17.jpg` -> `AKNC`; undefined for an empty stem. */
export function labelFromFileName(name: string): string | undefined {
  const s = stem(splitName(name)[1]);
  const label = s.split('_')[0].trim();
  return label === '' ? undefined : label;
}

/** Builds the lookup of every image's label from the label files found in the archive. */
export function createLabelResolver(labelFiles: readonly LabelFile[]): (imageName: string) => LabelLookup {
  const csvByDir = new Map<string, Map<string, string>>();
  const txtByDir = new Map<string, string[]>();
  for (const f of labelFiles) {
    const [dir] = splitName(f.name);
    const kind = labelFileKind(f.name);
    if (kind === 'labels.csv') csvByDir.set(dir, parseLabelsCsv(f.text));
    else if (kind === 'labels.txt') txtByDir.set(dir, parseLabelsTxt(f.text));
  }
  return (imageName) => {
    const [dir, base] = splitName(imageName);
    for (const [csvDir, map] of csvByDir) {
      if (!dir.startsWith(csvDir)) continue;
      const rel = imageName.slice(csvDir.length);
      const label = map.get(rel) ?? map.get(base) ?? map.get(stem(base));
      if (label !== undefined && label !== '') return { label, source: 'labels.csv' };
      if (label === '') return { reason: 'empty label in labels.csv' };
    }
    const lines = txtByDir.get(dir);
    const s = stem(base);
    if (lines && /^\d+$/.test(s)) {
      const label = lines[Number(s)];
      if (label === undefined) return { reason: `labels.txt has no line ${Number(s) + 1}` };
      if (label.trim() === '') return { reason: `line ${Number(s) + 1} of labels.txt is empty` };
      return { label: label.trim(), source: 'labels.txt' };
    }
    if (csvByDir.size > 0 && txtByDir.size === 0) return { reason: 'not listed in labels.csv' };
    const label = labelFromFileName(imageName);
    return label === undefined ? { reason: 'no label (labels.txt, labels.csv or file name)' } : { label, source: 'file name' };
  };
}
