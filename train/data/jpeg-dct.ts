/**
 * libjpeg's "islow" integer DCTs (jfdctint.c, jidctint.c; libjpeg-turbo and mozjpeg share them,
 * and their SIMD versions compute the same integers), transcribed operation for operation so
 * that the results are bit-identical. All intermediate values stay within int32, as in the
 * SIMD code, so `>>` is exact.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** DESCALE(x, n): x / 2^n rounded (libjpeg's arithmetic right shift with a rounding bias). */
const D1 = 1 << (CONST_BITS - PASS1_BITS - 1);
const D2 = 1 << (CONST_BITS + PASS1_BITS - 1);

/**
 * Forward DCT of one 8x8 block in place (`data` holds samples minus 128); the output is scaled
 * up by 8, as jpeg_fdct_islow leaves it.
 */
export function fdctIslow(data: Int32Array): void {
  for (let r = 0; r < 64; r += 8) {
    const tmp0 = data[r] + data[r + 7];
    let tmp7 = data[r] - data[r + 7];
    const tmp1 = data[r + 1] + data[r + 6];
    let tmp6 = data[r + 1] - data[r + 6];
    const tmp2 = data[r + 2] + data[r + 5];
    let tmp5 = data[r + 2] - data[r + 5];
    const tmp3 = data[r + 3] + data[r + 4];
    let tmp4 = data[r + 3] - data[r + 4];
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    data[r] = (tmp10 + tmp11) << PASS1_BITS;
    data[r + 4] = (tmp10 - tmp11) << PASS1_BITS;
    let z1 = (tmp12 + tmp13) * FIX_0_541196100;
    data[r + 2] = (z1 + tmp13 * FIX_0_765366865 + D1) >> (CONST_BITS - PASS1_BITS);
    data[r + 6] = (z1 - tmp12 * FIX_1_847759065 + D1) >> (CONST_BITS - PASS1_BITS);
    z1 = tmp4 + tmp7;
    let z2 = tmp5 + tmp6;
    let z3 = tmp4 + tmp6;
    let z4 = tmp5 + tmp7;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp4 *= FIX_0_298631336;
    tmp5 *= FIX_2_053119869;
    tmp6 *= FIX_3_072711026;
    tmp7 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    data[r + 7] = (tmp4 + z1 + z3 + D1) >> (CONST_BITS - PASS1_BITS);
    data[r + 5] = (tmp5 + z2 + z4 + D1) >> (CONST_BITS - PASS1_BITS);
    data[r + 3] = (tmp6 + z2 + z3 + D1) >> (CONST_BITS - PASS1_BITS);
    data[r + 1] = (tmp7 + z1 + z4 + D1) >> (CONST_BITS - PASS1_BITS);
  }
  for (let c = 0; c < 8; c++) {
    const tmp0 = data[c] + data[c + 56];
    let tmp7 = data[c] - data[c + 56];
    const tmp1 = data[c + 8] + data[c + 48];
    let tmp6 = data[c + 8] - data[c + 48];
    const tmp2 = data[c + 16] + data[c + 40];
    let tmp5 = data[c + 16] - data[c + 40];
    const tmp3 = data[c + 24] + data[c + 32];
    let tmp4 = data[c + 24] - data[c + 32];
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    data[c] = (tmp10 + tmp11 + (1 << (PASS1_BITS - 1))) >> PASS1_BITS;
    data[c + 32] = (tmp10 - tmp11 + (1 << (PASS1_BITS - 1))) >> PASS1_BITS;
    let z1 = (tmp12 + tmp13) * FIX_0_541196100;
    data[c + 16] = (z1 + tmp13 * FIX_0_765366865 + D2) >> (CONST_BITS + PASS1_BITS);
    data[c + 48] = (z1 - tmp12 * FIX_1_847759065 + D2) >> (CONST_BITS + PASS1_BITS);
    z1 = tmp4 + tmp7;
    let z2 = tmp5 + tmp6;
    let z3 = tmp4 + tmp6;
    let z4 = tmp5 + tmp7;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp4 *= FIX_0_298631336;
    tmp5 *= FIX_2_053119869;
    tmp6 *= FIX_3_072711026;
    tmp7 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    data[c + 56] = (tmp4 + z1 + z3 + D2) >> (CONST_BITS + PASS1_BITS);
    data[c + 40] = (tmp5 + z2 + z4 + D2) >> (CONST_BITS + PASS1_BITS);
    data[c + 24] = (tmp6 + z2 + z3 + D2) >> (CONST_BITS + PASS1_BITS);
    data[c + 8] = (tmp7 + z1 + z4 + D2) >> (CONST_BITS + PASS1_BITS);
  }
}

/**
 * libjpeg's output range limit after the inverse DCT: index `(x & 1023)` for a value x
 * centred on 0 gives clamp(x + 128, 0, 255) for x in [-512, 511] (and wraps beyond, as the
 * table does).
 */
const IDCT_LIMIT = (() => {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) t[i] = i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896;
  return t;
})();

const workspace = new Int32Array(64);

/**
 * Inverse DCT of one block of quantised coefficients (natural order) with the quantisation
 * table `quant`, written as 8x8 samples into `out` at `offset` with row stride `stride`.
 */
export function idctIslow(coef: Int32Array, quant: Int32Array, out: Uint8Array, offset: number, stride: number): void {
  const ws = workspace;
  for (let c = 0; c < 8; c++) {
    if (coef[c + 8] === 0 && coef[c + 16] === 0 && coef[c + 24] === 0 && coef[c + 32] === 0 && coef[c + 40] === 0 && coef[c + 48] === 0 && coef[c + 56] === 0) {
      const dc = (coef[c] * quant[c]) << PASS1_BITS;
      for (let k = 0; k < 64; k += 8) ws[c + k] = dc;
      continue;
    }
    let z2 = coef[c + 16] * quant[c + 16];
    let z3 = coef[c + 48] * quant[c + 48];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    z2 = coef[c] * quant[c];
    z3 = coef[c + 32] * quant[c + 32];
    let tmp0 = (z2 + z3) << CONST_BITS;
    let tmp1 = (z2 - z3) << CONST_BITS;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = coef[c + 56] * quant[c + 56];
    tmp1 = coef[c + 40] * quant[c + 40];
    tmp2 = coef[c + 24] * quant[c + 24];
    tmp3 = coef[c + 8] * quant[c + 8];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    ws[c] = (tmp10 + tmp3 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 56] = (tmp10 - tmp3 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 8] = (tmp11 + tmp2 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 48] = (tmp11 - tmp2 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 16] = (tmp12 + tmp1 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 40] = (tmp12 - tmp1 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 24] = (tmp13 + tmp0 + D1) >> (CONST_BITS - PASS1_BITS);
    ws[c + 32] = (tmp13 - tmp0 + D1) >> (CONST_BITS - PASS1_BITS);
  }
  const D3 = 1 << (CONST_BITS + PASS1_BITS + 3 - 1);
  const S3 = CONST_BITS + PASS1_BITS + 3;
  for (let r = 0; r < 64; r += 8) {
    const o = offset + (r >> 3) * stride;
    if (ws[r + 1] === 0 && ws[r + 2] === 0 && ws[r + 3] === 0 && ws[r + 4] === 0 && ws[r + 5] === 0 && ws[r + 6] === 0 && ws[r + 7] === 0) {
      const v = IDCT_LIMIT[((ws[r] + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) & 1023];
      for (let k = 0; k < 8; k++) out[o + k] = v;
      continue;
    }
    let z2 = ws[r + 2];
    let z3 = ws[r + 6];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp0 = (ws[r] + ws[r + 4]) << CONST_BITS;
    let tmp1 = (ws[r] - ws[r + 4]) << CONST_BITS;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[r + 7];
    tmp1 = ws[r + 5];
    tmp2 = ws[r + 3];
    tmp3 = ws[r + 1];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[o] = IDCT_LIMIT[((tmp10 + tmp3 + D3) >> S3) & 1023];
    out[o + 7] = IDCT_LIMIT[((tmp10 - tmp3 + D3) >> S3) & 1023];
    out[o + 1] = IDCT_LIMIT[((tmp11 + tmp2 + D3) >> S3) & 1023];
    out[o + 6] = IDCT_LIMIT[((tmp11 - tmp2 + D3) >> S3) & 1023];
    out[o + 2] = IDCT_LIMIT[((tmp12 + tmp1 + D3) >> S3) & 1023];
    out[o + 5] = IDCT_LIMIT[((tmp12 - tmp1 + D3) >> S3) & 1023];
    out[o + 3] = IDCT_LIMIT[((tmp13 + tmp0 + D3) >> S3) & 1023];
    out[o + 4] = IDCT_LIMIT[((tmp13 - tmp0 + D3) >> S3) & 1023];
  }
}
