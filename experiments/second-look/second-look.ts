// The second-look experiment (docs/experiments.md: "Why the zero and the O stay confused"): crops
// around the characters the main model reads as 0 or O, and a crop model that decides 0 or O.
// Measurement code, not a served path: the API reads with the main model alone.
import * as ort from 'onnxruntime-node';
import { toGrey, type RawImage } from '../../core/image.ts';
import { defaultPreprocess, preprocess, resizeGrey } from '../../core/preprocess.ts';

// The models' charset (the shipped one's): class 0 is '0', class 24 is 'O', the last is the blank.
const CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ZERO = CHARSET.indexOf('0');
const OH = CHARSET.indexOf('O');

function checkClasses(C: number): void {
  if (C !== CHARSET.length + 1) throw new RangeError(`expected a CTC model over ${CHARSET} + blank (${CHARSET.length + 1} classes), got ${C}`);
}
export const CROP_W = 48;
export const CROP_H = 64;

export interface Reading {
  chars: string[];
  frames: number[];
  probs: number[][]; // per char: [p0, pO] at its peak frame
  timeSteps: number;
}

export async function session(path: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** A CTC main model with the shipped input (48x128 unless told). */
export async function mainModel(path: string, height = 48, width = 128) {
  const s = await session(path);
  const spec = defaultPreprocess(height, width);
  return {
    async read(image: RawImage): Promise<Reading> {
      const x = preprocess(image, spec);
      const out = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [1, height, width, 1]) }))[s.outputNames[0]];
      const [, T, C] = out.dims as number[];
      checkClasses(C);
      const p = out.data as Float32Array;
      const chars: string[] = [];
      const frames: number[] = [];
      const probs: number[][] = [];
      let prev = -1;
      let best = 0;
      for (let t = 0; t < T; t++) {
        let k = 0;
        for (let c = 1; c < C; c++) if (p[t * C + c] > p[t * C + k]) k = c;
        if (k !== C - 1 && k !== prev) {
          chars.push(CHARSET[k]);
          frames.push(t);
          probs.push([p[t * C + ZERO], p[t * C + OH]]);
          best = p[t * C + k];
        } else if (k !== C - 1 && k === prev && p[t * C + k] > best) {
          frames[frames.length - 1] = t;
          probs[probs.length - 1] = [p[t * C + ZERO], p[t * C + OH]];
          best = p[t * C + k];
        }
        prev = k;
      }
      return { chars, frames, probs, timeSteps: T };
    },
  };
}

/** A CROP_W x CROP_H grey crop centred on frame `frame` of `T`, 0.8 image heights wide. */
export function cropAt(image: RawImage, frame: number, T: number): { width: number; height: number; data: Uint8Array } {
  const { width: W, height: H } = image;
  const grey = toGrey(image);
  const cw = Math.round(0.8 * H);
  const c = ((frame + 0.5) * W) / T;
  const x0 = Math.round(c - cw / 2);
  const crop = new Float32Array(cw * H).fill(255);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = x0 + x;
      if (sx >= 0 && sx < W) crop[y * cw + x] = grey[y * W + sx];
    }
  }
  const r = resizeGrey(crop, cw, H, CROP_W, CROP_H);
  const data = new Uint8Array(CROP_W * CROP_H);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(r[i])));
  return { width: CROP_W, height: CROP_H, data };
}

/** The main model's and the crop model's log-odds of 0 against O, added. */
export function combinedChar(main: readonly number[], crop: { p0: number; pO: number }): '0' | 'O' {
  const logOdds = (a: number, b: number) => Math.log(a + 1e-9) - Math.log(b + 1e-9);
  return logOdds(main[0], main[1]) + logOdds(crop.p0, crop.pO) >= 0 ? '0' : 'O';
}

/** The crop model's 0-vs-O decision: summed probability of 0 and of O over its frames. */
export async function cropModel(path: string) {
  const s = await session(path);
  const cropSpec = defaultPreprocess(CROP_H, CROP_W);
  return {
    async decide(crop: { data: Uint8Array }): Promise<{ char: '0' | 'O'; p0: number; pO: number }> {
      const x = preprocess({ width: CROP_W, height: CROP_H, channels: 1, data: crop.data }, cropSpec);
      const out = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [1, CROP_H, CROP_W, 1]) }))[s.outputNames[0]];
      const [, T, C] = out.dims as number[];
      checkClasses(C);
      const p = out.data as Float32Array;
      let p0 = 0;
      let pO = 0;
      for (let t = 0; t < T; t++) {
        p0 += p[t * C + ZERO];
        pO += p[t * C + OH];
      }
      return { char: p0 >= pO ? '0' : 'O', p0, pO };
    },
  };
}
