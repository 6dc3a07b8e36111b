// Building and reading ONNX TensorProto / AttributeProto values (the byte-level pitfalls live here).
//
// Pitfalls met on this machine: data_type and attribute types are integers (an enum *name* silently
// encodes as 0); bytes fields must be Uint8Array (a JS string is taken as base64); raw_data is
// little-endian and a decoded buffer may sit at an unaligned offset (read through DataView);
// int64 fields decode as Long objects.
import type Long from 'long';
import { ImportBudget } from './budget';
import { onnx, type OnnxTypes } from './proto';

/** TensorProto.DataType values used by RNN Lab (onnx.proto numbering). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values (onnx.proto numbering). */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const dataTypeNames: Record<number, string> = Object.fromEntries(
  Object.entries(onnx.TensorProto.DataType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));
export const dataTypeName = (t: number): string => dataTypeNames[t] ?? `data type ${t}`;

/** An int64 as it comes out of protobufjs (number or Long) → number; throws beyond 2^53. */
export function toNumber(v: number | Long | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new Error(`${what}: int64 value ${v.toString()} does not fit a JS number`);
  return n;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
export const bytes = (s: string): Uint8Array => utf8.encode(s);
export const text = (b: Uint8Array | null | undefined): string => (b ? fromUtf8.decode(b) : '');

/** True on little-endian hosts (all that Node ships for): typed-array bytes are then raw_data's bytes. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A float32 tensor with its data as little-endian raw_data (copied, so the caller's buffer may change). */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): OnnxTypes.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`tensor ${name}: dims [${dims}] need ${size} values, got ${data.length}`);
  let raw: Uint8Array;
  if (littleEndian) {
    const copy = new Float32Array(size);
    copy.set(data);
    raw = new Uint8Array(copy.buffer);
  } else {
    raw = new Uint8Array(size * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < size; i++) view.setFloat32(i * 4, data[i], true);
  }
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

/** An int64 tensor (shapes, indices); values must be safe integers. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTypes.ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}

/** A decoded tensor: floats as Float32Array (double tensors narrowed), integers as plain numbers. */
export type TensorValue =
  | { readonly type: 'float'; readonly dims: number[]; readonly data: Float32Array }
  | { readonly type: 'int'; readonly dims: number[]; readonly data: number[] };

/** Bytes a decoded element takes: float32 for float tensors, a JS number for integers. */
const decodedBytes: Readonly<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 4, [DataType.INT64]: 8, [DataType.INT32]: 8, [DataType.INT8]: 8, [DataType.UINT8]: 8, [DataType.BOOL]: 8,
};

/** How a tensor of each supported type stores its values: bytes each in raw_data, else the repeated field's length. */
const storedValues: Readonly<Record<number, { bytes: number; count: (t: OnnxTypes.ITensorProto) => number }>> = {
  [DataType.FLOAT]: { bytes: 4, count: (t) => t.floatData?.length ?? 0 },
  [DataType.DOUBLE]: { bytes: 8, count: (t) => t.doubleData?.length ?? 0 },
  [DataType.INT64]: { bytes: 8, count: (t) => t.int64Data?.length ?? 0 },
  [DataType.INT32]: { bytes: 4, count: (t) => t.int32Data?.length ?? 0 },
  [DataType.INT8]: { bytes: 1, count: (t) => t.int32Data?.length ?? 0 },
  [DataType.UINT8]: { bytes: 1, count: (t) => t.int32Data?.length ?? 0 },
  [DataType.BOOL]: { bytes: 1, count: (t) => t.int32Data?.length ?? 0 },
};

/**
 * Reads a TensorProto's values whatever field holds them; `where` prefixes every error. The decoded
 * size is charged to `budget` from the dims before anything is allocated.
 */
export function readTensor(t: OnnxTypes.ITensorProto, where: string, budget = new ImportBudget()): TensorValue {
  const dims = (t.dims ?? []).map((d) => toNumber(d, `${where}: dims`));
  const type = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`${where}: tensor data stored in an external file is not supported (expected the data inside the .onnx)`);
  }
  const size = type in decodedBytes ? budget.charge(where, dims, decodedBytes[type]) : dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const expectRaw = (width: number) => {
    if (raw && raw.byteLength !== size * width) {
      throw new Error(`${where}: raw_data has ${raw.byteLength} bytes, expected ${size * width} for dims [${dims}] of ${dataTypeName(type)}`);
    }
  };
  const expectCount = (n: number) => {
    if (n !== size) throw new Error(`${where}: tensor has ${n} values, expected ${size} for dims [${dims}]`);
  };
  // The file must hold every value the dims claim before anything of that size is allocated.
  const stored = storedValues[type];
  if (stored) {
    if (raw) expectRaw(stored.bytes);
    else expectCount(stored.count(t));
  }
  switch (type) {
    case DataType.FLOAT: {
      if (raw && littleEndian) {
        expectRaw(4);
        const aligned = new Uint8Array(size * 4);        // raw may be an unaligned view into a larger buffer
        aligned.set(raw);
        return { type: 'float', dims, data: new Float32Array(aligned.buffer) };
      }
      const data = new Float32Array(size);
      if (view) { expectRaw(4); for (let i = 0; i < size; i++) data[i] = view.getFloat32(i * 4, true); }
      else { expectCount(t.floatData?.length ?? 0); data.set(t.floatData ?? []); }
      return { type: 'float', dims, data };
    }
    case DataType.DOUBLE: {
      const data = new Float32Array(size);
      if (view) { expectRaw(8); for (let i = 0; i < size; i++) data[i] = view.getFloat64(i * 8, true); }
      else { expectCount(t.doubleData?.length ?? 0); data.set(t.doubleData ?? []); }
      return { type: 'float', dims, data };
    }
    case DataType.INT64: {
      let data: number[];
      if (view) {
        expectRaw(8);
        data = Array.from({ length: size }, (_, i) => {
          const v = view.getBigInt64(i * 8, true);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
            // torch writes INT64_MAX as "to the end" in Slice; clamp rather than fail.
            return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
          }
          return Number(v);
        });
      } else {
        expectCount(t.int64Data?.length ?? 0);
        data = (t.int64Data ?? []).map((v) => toNumber(v, where));
      }
      return { type: 'int', dims, data };
    }
    case DataType.INT32: case DataType.INT8: case DataType.UINT8: case DataType.BOOL: {
      let data: number[];
      if (view) {
        const width = type === DataType.INT32 ? 4 : 1;
        expectRaw(width);
        data = Array.from({ length: size }, (_, i) =>
          type === DataType.INT32 ? view.getInt32(i * 4, true) : type === DataType.INT8 ? view.getInt8(i) : view.getUint8(i));
      } else {
        expectCount(t.int32Data?.length ?? 0);
        data = [...(t.int32Data ?? [])];
      }
      return { type: 'int', dims, data };
    }
    default:
      throw new Error(`${where}: tensor of ${dataTypeName(type)} is not supported (expected FLOAT, DOUBLE or an integer type)`);
  }
}

/** Attribute constructors: each sets the integer `type` field explicitly. */
export const attr = {
  int: (name: string, i: number): OnnxTypes.IAttributeProto => ({ name, type: AttrType.INT, i }),
  float: (name: string, f: number): OnnxTypes.IAttributeProto => ({ name, type: AttrType.FLOAT, f }),
  ints: (name: string, ints: readonly number[]): OnnxTypes.IAttributeProto => ({ name, type: AttrType.INTS, ints: [...ints] }),
  string: (name: string, s: string): OnnxTypes.IAttributeProto => ({ name, type: AttrType.STRING, s: bytes(s) }),
  strings: (name: string, ss: readonly string[]): OnnxTypes.IAttributeProto =>
    ({ name, type: AttrType.STRINGS, strings: ss.map(bytes) }),
  tensor: (name: string, t: OnnxTypes.ITensorProto): OnnxTypes.IAttributeProto => ({ name, type: AttrType.TENSOR, t }),
};
