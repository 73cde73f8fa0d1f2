type NumericArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Returns `arr` or a copy at least `size` long (doubling), for typed-array columns that grow. */
export function ensureSize<T extends NumericArray>(arr: T, size: number): T {
  if (size <= arr.length) return arr;
  let length = arr.length || 1024;
  while (length < size) length *= 2;
  const next = new (arr.constructor as new (n: number) => T)(length);
  next.set(arr);
  return next;
}
