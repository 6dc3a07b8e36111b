// What one import may allocate: no tensor (initializer, Constant, folded constant) over
// MAX_TENSOR_ELEMENTS elements, and all of them together under a total that grows with the file:
// folding only reshuffles weights the file holds (torch's unfolded gate slices and concatenations
// take two or three copies), so FILE_FACTOR × the file's size, at least MIN_IMPORT_BYTES, at most
// MAX_IMPORT_BYTES. Charged from the dims before anything is allocated, so a small file that unfolds
// into gigabytes (one initializer concatenated 20,000 times) is refused with its sizes.

/** 64 Mi elements: 256 MB of float32, an embedding of 1M words × 64, far above what the engine trains. */
export const MAX_TENSOR_ELEMENTS = 64 * 2 ** 20;
/** All tensors of one import together (decoded: float32, integers as JS numbers): at most 512 MiB. */
export const MAX_IMPORT_BYTES = 512 * 2 ** 20;
export const MIN_IMPORT_BYTES = 64 * 2 ** 20;
export const FILE_FACTOR = 8;

const count = (n: number) => n.toLocaleString('en-US');
/** "812 bytes", "64 KB", "781 MB" (KB and MB of 1,024). */
function sizeInWords(bytes: number): string {
  if (bytes < 10 * 1024) return `${count(bytes)} bytes`;
  if (bytes < 10 * 2 ** 20) return `${count(Math.round(bytes / 1024))} KB`;
  return `${count(Math.round(bytes / 2 ** 20))} MB`;
}

export class ImportBudget {
  private used = 0;

  /** `why` follows the total limit in messages (e.g. how it was derived from the file's size). */
  constructor(readonly maxElements = MAX_TENSOR_ELEMENTS, readonly maxBytes = MAX_IMPORT_BYTES, private readonly why = '') {}

  /** The budget of a file of `fileBytes` bytes. */
  static forFile(fileBytes: number): ImportBudget {
    const total = Math.min(MAX_IMPORT_BYTES, Math.max(MIN_IMPORT_BYTES, FILE_FACTOR * fileBytes));
    return new ImportBudget(MAX_TENSOR_ELEMENTS, total,
      ` for a file of ${sizeInWords(fileBytes)} (${FILE_FACTOR} × its size, at least ${sizeInWords(MIN_IMPORT_BYTES)}, at most ${sizeInWords(MAX_IMPORT_BYTES)})`);
  }

  /** Bytes charged so far. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Charges a tensor of `dims` about to be allocated (`bytesPerElement`: 4 for float32, 8 for integers,
   * which are JS numbers); throws, saying `what` and its sizes, when it is over a limit. Returns its size.
   */
  charge(what: string, dims: readonly number[], bytesPerElement: number): number {
    for (const d of dims) {
      if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${what}: dimension ${d} in [${dims}] (expected whole numbers ≥ 0)`);
    }
    const elements = dims.reduce((a, b) => a * b, 1);
    if (elements > this.maxElements) {
      throw new Error(`${what} has ${count(elements)} elements (dims [${dims}]), over the import limit of ${count(this.maxElements)} elements per tensor`);
    }
    const bytes = elements * bytesPerElement;
    if (this.used + bytes > this.maxBytes) {
      throw new Error(`${what} (${sizeInWords(bytes)}, dims [${dims}]) would bring the model's tensors to ${sizeInWords(this.used + bytes)}, ` +
        `over the import limit of ${sizeInWords(this.maxBytes)}${this.why}`);
    }
    this.used += bytes;
    return elements;
  }
}

