/**
 * The ONNX protobuf schema, loaded with protobufjs from the vendored `onnx.proto`
 * (ONNX 1.12, IR version 8, Apache-2.0; copied verbatim from the onnx project).
 */
import protobuf from 'protobufjs';
import { readFileSync } from 'node:fs';

const protoText = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
const root = protobuf.parse(protoText, { keepCase: true }).root;

export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used by the converter. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** Serialises a plain ModelProto object (snake_case field names) after checking it against the schema. */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const problem = ModelProto.verify(model);
  if (problem) throw new Error(`internal error: invalid ONNX ModelProto: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Parses ONNX bytes into a plain object (longs as numbers, bytes as Uint8Array); used by tests and reports. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const msg = ModelProto.decode(bytes);
  return ModelProto.toObject(msg, { longs: Number, defaults: false, arrays: true }) as DecodedModel;
}

export interface DecodedModel {
  ir_version: number;
  opset_import: { domain?: string; version: number }[];
  metadata_props: { key: string; value: string }[];
  graph: {
    node: { op_type: string; name?: string; input: string[]; output: string[]; attribute: { name: string }[] }[];
    initializer: { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array }[];
    input: { name: string }[];
    output: { name: string }[];
  };
}

/** Returns the model with `props` added to (or replacing keys in) its metadata_props. */
export function withMetadataProps(bytes: Uint8Array, props: { key: string; value: string }[]): Uint8Array {
  const msg = ModelProto.toObject(ModelProto.decode(bytes), { arrays: true }) as { metadata_props: { key: string; value: string }[] };
  const keys = new Set(props.map((p) => p.key));
  msg.metadata_props = [...msg.metadata_props.filter((p) => !keys.has(p.key)), ...props];
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}
