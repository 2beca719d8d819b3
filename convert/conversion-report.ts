/** What a conversion produced, for the CLI, the training stage and the model card. */
export interface ConversionReport {
  readonly irVersion: number;
  readonly opset: number;
  readonly fp16: boolean;
  readonly inputs: { name: string; shape: (number | string)[] }[];
  readonly outputs: { name: string; shape: (number | string)[] }[];
  /** Weight values in the tfjs model (Keras' "total params", batch-norm statistics included). */
  readonly parameters: number;
  /** Floating-point operations for one image: 2 x multiply-adds of convolutions, dense and recurrent layers. */
  readonly flopsPerImage: number;
  /** Size of the ONNX file in bytes. */
  readonly bytes: number;
  readonly nodes: number;
  /** Node op types in graph order. */
  readonly opTypes: string[];
  readonly foldedBatchNorms: number;
  /** Layers that vanish at inference (dropout and noise layers). */
  readonly removedLayers: string[];
}
