import { getBackend, getKernel, type KernelBackend, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';

/**
 * Calls another kernel of the same backend from inside a kernel (no tape, no engine
 * bookkeeping): the way the backends compose their own kernels.
 */
export function callKernel(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(name, getBackend());
  if (!config) throw new Error(`kernel ${name} is not registered for this backend`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : (out as TensorInfo);
}

/** Releases an intermediate made by callKernel. */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A convolution with arbitrary (possibly negative) paddings: negative pads crop the input
 * first, the rest goes to Conv2D as explicit padding. `x` NHWC, `filter` [kh, kw, in, out].
 */
export function conv2dPadded(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pads: readonly [number, number, number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): TensorInfo {
  const [top, bottom, left, right] = pads;
  let input = x;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const [n, h, w, c] = x.shape;
    input = callKernel('Slice', backend, { x }, { begin: [0, cropTop, cropLeft, 0], size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c] });
  }
  const pad = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  const out = callKernel('Conv2D', backend, { x: input, filter }, {
    strides: [...strides],
    pad,
    dilations: [...dilations],
    dataFormat: 'NHWC',
    dimRoundingMode: undefined as unknown as string,
  } as unknown as NamedAttrMap);
  if (input !== x) release(backend, input);
  return out;
}
