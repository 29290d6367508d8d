// Triton's classification extension: an output asked for with parameters.classification = K comes
// back as the K largest values of each batch row, as BYTES strings "value:index:label" (the label
// from the model's id2label, as Triton reads it from labels.txt), value printed with six decimals.
import type { Float32Tensor } from './v2codec';

export function classify(tensor: Float32Tensor, k: number, labels: string[] | undefined): { shape: number[]; data: string[] } {
  const rows = tensor.dims[0];
  const width = tensor.data.length / rows;
  const top = Math.min(k, width);
  const data: string[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = row * width;
    const order = Array.from({ length: width }, (_, index) => index).sort((a, b) => tensor.data[offset + b] - tensor.data[offset + a] || a - b);
    for (const index of order.slice(0, top)) {
      const label = labels?.[index];
      data.push(`${tensor.data[offset + index].toFixed(6)}:${index}${label !== undefined ? `:${label}` : ''}`);
    }
  }
  return { shape: [rows, top], data };
}

/** BYTES in the binary form: each element as a little-endian uint32 length and its UTF-8 bytes. */
export function bytesTensor(strings: string[]): Buffer {
  return Buffer.concat(
    strings.flatMap((text) => {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}
