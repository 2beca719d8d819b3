/**
 * Drawing on an RGB canvas (3 interleaved bytes a pixel) the way Pillow 9.4 does it: masked
 * paste of a solid colour, wide lines (as 4-point polygons), arcs and the SMOOTH filter.
 */

export interface Canvas {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Pillow's BLEND: in1 * (255 - m) / 255 + in2 * m / 255, rounded in integers. */
function blend(m: number, in1: number, in2: number): number {
  const t = in1 * (255 - m) + in2 * m + 128;
  return ((t >> 8) + t) >> 8;
}

/**
 * `image.paste(tile, (x0, y0), mask)` where the tile's colour is uniform: every pixel under
 * the mask moves towards `rgb` by mask / 255. Clipped to the canvas.
 */
export function pasteMask(cv: Canvas, mask: Uint8Array, mw: number, mh: number, x0: number, y0: number, rgb: readonly number[]): void {
  const [r, g, b] = rgb;
  const ys = Math.max(0, -y0);
  const ye = Math.min(mh, cv.height - y0);
  const xs = Math.max(0, -x0);
  const xe = Math.min(mw, cv.width - x0);
  const d = cv.data;
  for (let y = ys; y < ye; y++) {
    let o = ((y + y0) * cv.width + x0 + xs) * 3;
    for (let x = xs, i = y * mw + xs; x < xe; x++, i++, o += 3) {
      const m = mask[i];
      if (m === 0) continue;
      if (m === 255) {
        d[o] = r;
        d[o + 1] = g;
        d[o + 2] = b;
      } else {
        d[o] = blend(m, d[o], r);
        d[o + 1] = blend(m, d[o + 1], g);
        d[o + 2] = blend(m, d[o + 2], b);
      }
    }
  }
}

function setPixel(cv: Canvas, x: number, y: number, rgb: readonly number[]): void {
  if (x < 0 || y < 0 || x >= cv.width || y >= cv.height) return;
  const o = (y * cv.width + x) * 3;
  cv.data[o] = rgb[0];
  cv.data[o + 1] = rgb[1];
  cv.data[o + 2] = rgb[2];
}

function hline(cv: Canvas, x0: number, y: number, x1: number, rgb: readonly number[]): void {
  if (y < 0 || y >= cv.height) return;
  if (x0 < 0) x0 = 0;
  if (x1 >= cv.width) x1 = cv.width - 1;
  for (let x = x0; x <= x1; x++) setPixel(cv, x, y, rgb);
}

const roundUp = (f: number): number => (f >= 0 ? Math.floor(f + 0.5) : -Math.floor(-f + 0.5));
const roundDown = (f: number): number => (f >= 0 ? Math.ceil(f - 0.5) : -Math.ceil(-f - 0.5));

/** Draw.c polygon_generic (Pillow 9.4) for a closed polygon of integer vertices. */
export function fillPolygon(cv: Canvas, xs: readonly number[], ys: readonly number[], rgb: readonly number[]): void {
  const n = xs.length;
  const edges: { x0: number; y0: number; ymin: number; ymax: number; dx: number }[] = [];
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x0 = xs[i];
    const y0 = ys[i];
    const x1 = xs[(i + 1) % n];
    const y1 = ys[(i + 1) % n];
    if (y0 === y1) {
      hline(cv, Math.min(x0, x1), y0, Math.max(x0, x1), rgb);
      continue;
    }
    edges.push({ x0, y0, ymin: Math.min(y0, y1), ymax: Math.max(y0, y1), dx: (x1 - x0) / (y1 - y0) });
    ymin = Math.min(ymin, y0, y1);
    ymax = Math.max(ymax, y0, y1);
  }
  const xx: number[] = [];
  for (let y = ymin; y <= ymax; y++) {
    xx.length = 0;
    for (const e of edges) {
      if (y >= e.ymin && y <= e.ymax) {
        const x = Math.fround((y - e.y0) * e.dx + e.x0);
        xx.push(x);
        if (y === e.ymax && y < ymax) xx.push(x);
      }
    }
    xx.sort((a, b) => a - b);
    for (let i = 1; i < xx.length; i += 2) hline(cv, roundUp(xx[i - 1]), y, roundDown(xx[i]), rgb);
  }
}

/** Draw.c ImagingDrawLine (Bresenham) for width 1. */
function line1(cv: Canvas, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  const dx = Math.abs(x1 - x0);
  const dy = Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx - dy;
  for (;;) {
    setPixel(cv, x0, y0, rgb);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 > -dy) {
      err -= dy;
      x0 += sx;
    }
    if (e2 < dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/** `Draw.line(((x0, y0), (x1, y1)), width=width)`: Draw.c ImagingDrawWideLine for width > 1. */
export function drawLine(cv: Canvas, x0: number, y0: number, x1: number, y1: number, width: number, rgb: readonly number[]): void {
  if (width <= 1) return line1(cv, x0, y0, x1, y1, rgb);
  const dx = x1 - x0;
  const dy = y1 - y0;
  if (dx === 0 && dy === 0) return setPixel(cv, x0, y0, rgb);
  const big = Math.hypot(dx, dy);
  const small = (width - 1) / 2;
  const ratioMax = roundUp(small) / big;
  const ratioMin = roundDown(small) / big;
  const dxmin = roundDown(ratioMin * dy);
  const dxmax = roundDown(ratioMax * dy);
  const dymin = roundDown(ratioMin * dx);
  const dymax = roundDown(ratioMax * dx);
  fillPolygon(cv, [x0 - dxmin, x1 - dxmin, x1 + dxmax, x0 + dxmax], [y0 + dymax, y1 + dymax, y1 - dymin, y0 - dymin], rgb);
}

/**
 * `Draw.arc([x0, y0, x1, y1], start, end)` with width 1: the pixels of the ellipse inscribed
 * in the (inclusive) box from parameter angle `start` to `end` (degrees, clockwise from
 * 3 o'clock: the point `(cx + a cos t, cy + b sin t)`). Parameter, not geometric, angles: on a
 * flat ellipse a geometric end angle of 195 degrees reaches back along the top to the middle,
 * a second line that none of the real library's reference images shows (6 of 12 of ours did).
 */
export function drawArc(cv: Canvas, x0: number, y0: number, x1: number, y1: number, start: number, end: number, rgb: readonly number[]): void {
  const a = (x1 - x0) / 2;
  const b = (y1 - y0) / 2;
  const cx = x0 + a;
  const cy = y0 + b;
  const t0 = (start * Math.PI) / 180;
  let t1 = (end * Math.PI) / 180;
  while (t1 < t0) t1 += 2 * Math.PI;
  const steps = Math.ceil((t1 - t0) * Math.max(a, b, 1) * 2) + 2;
  let lastX = NaN;
  let lastY = NaN;
  for (let i = 0; i <= steps; i++) {
    const t = t0 + ((t1 - t0) * i) / steps;
    const x = Math.round(cx + a * Math.cos(t));
    const y = Math.round(cy + b * Math.sin(t));
    if (x === lastX && y === lastY) continue;
    lastX = x;
    lastY = y;
    setPixel(cv, x, y, rgb);
  }
}

const dotShapes = new Map<number, Int32Array>();

/**
 * `Draw.line(((x, y), (x - 1, y - 1)), width=width)`, the library's noise dot: its pixel set
 * (relative to (x, y)) is rasterised once per width by drawLine and then stamped.
 */
export function drawDot(cv: Canvas, x: number, y: number, width: number, rgb: readonly number[]): void {
  let shape = dotShapes.get(width);
  if (!shape) {
    const size = 4 * width + 8;
    const c = size >> 1;
    const probe: Canvas = { width: size, height: size, data: new Uint8Array(size * size * 3) };
    drawLine(probe, c, c, c - 1, c - 1, width, [255, 255, 255]);
    const offsets: number[] = [];
    for (let yy = 0; yy < size; yy++) for (let xx = 0; xx < size; xx++) if (probe.data[(yy * size + xx) * 3]) offsets.push(xx - c, yy - c);
    dotShapes.set(width, (shape = Int32Array.from(offsets)));
  }
  for (let i = 0; i < shape.length; i += 2) setPixel(cv, x + shape[i], y + shape[i + 1], rgb);
}

const DIV13 = /* @__PURE__ */ (() => {
  const t = new Uint8Array(13 * 255 + 1);
  for (let s = 0; s < t.length; s++) t[s] = Math.floor(s / 13 + 0.5);
  return t;
})();

/**
 * `image.filter(SMOOTH)`: 3x3 kernel 1 1 1 / 1 5 1 / 1 1 1 over 13, rounded; the outermost
 * rows and columns are copied unchanged (Filter.c). `out` must not alias `cv.data`.
 * Output rows go in pairs, which share the loads of their two middle input rows.
 */
export function smooth(cv: Canvas, out: Uint8Array): void {
  const { width: w, height: h, data: d } = cv;
  const s = w * 3;
  out.set(d.subarray(0, s), 0);
  if (h > 1) out.set(d.subarray((h - 1) * s, h * s), (h - 1) * s);
  for (let y = 1; y < h - 1; y++) {
    for (let c = 0; c < 3; c++) {
      out[y * s + c] = d[y * s + c];
      out[y * s + s - 3 + c] = d[y * s + s - 3 + c];
    }
  }
  if (w < 3) return;
  for (let y = 1; y < h - 1; y += 2) {
    const r = y * s;
    const end = r + s - 3;
    if (y + 1 === h - 1) {
      smoothRow(d, out, r, end, s);
      break;
    }
    for (let c = 0; c < 3; c++) {
      // Sliding column sums over rows y-1..y+1 (p*) and y..y+2 (q*): left of (*a), at (*b) and
      // right of (*n) pixel i; m2, m3 hold rows y and y+1 of the column at i (the centres).
      let i = r + c;
      let pa = d[i - s] + d[i] + d[i + s];
      let qa = d[i] + d[i + s] + d[i + 2 * s];
      i += 3;
      let m2 = d[i];
      let m3 = d[i + s];
      let pb = d[i - s] + m2 + m3;
      let qb = m2 + m3 + d[i + 2 * s];
      for (; i < end; i += 3) {
        const j = i + 3;
        const n2 = d[j];
        const n3 = d[j + s];
        const pn = d[j - s] + n2 + n3;
        const qn = n2 + n3 + d[j + 2 * s];
        out[i] = DIV13[pa + pb + pn + 4 * m2];
        out[i + s] = DIV13[qa + qb + qn + 4 * m3];
        pa = pb;
        pb = pn;
        qa = qb;
        qb = qn;
        m2 = n2;
        m3 = n3;
      }
    }
  }
}

/** One output row of `smooth` (its pixels r + 3 .. end - 1, per channel). */
function smoothRow(d: Uint8Array, out: Uint8Array, r: number, end: number, s: number): void {
  for (let c = 0; c < 3; c++) {
    let i = r + c;
    let a = d[i - s] + d[i] + d[i + s];
    i += 3;
    let b = d[i - s] + d[i] + d[i + s];
    for (; i < end; i += 3) {
      const n = d[i + 3 - s] + d[i + 3] + d[i + 3 + s];
      out[i] = DIV13[a + b + n + 4 * d[i]];
      a = b;
      b = n;
    }
  }
}
