/**
 * Go-compatible float printing (PROTOCOL.md §6.5, §10.5, §14): shortest round-trip digits, fixed
 * notation for 1e-6 ≤ |x| < 1e21, exponent form otherwise (`1e-7`, `1.5e+21`), negative zero as `-0`.
 * That is JS `String(x)` apart from `-0`; float32 values use the shortest digits of the float32.
 */

/**
 * The double whose shortest decimal form is the shortest form of float32 `v`
 * (0.1f, stored as 0.10000000149011612, gives 0.1). Non-finite values and zeros pass through.
 */
export function float32Shortest(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return f;
  // toPrecision(p) is the p-digit decimal nearest to f; the first one that maps back to f is shortest.
  for (let p = 1; p < 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return Number(f.toPrecision(9));
}

/** Go/protojson text of a double; NaN and infinities as `NaN`, `Infinity`, `-Infinity` (unquoted). */
export function formatFloat64(v: number): string {
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** Go/protojson text of a float32 value (shortest float32 digits). */
export function formatFloat32(v: number): string {
  return formatFloat64(float32Shortest(v));
}
