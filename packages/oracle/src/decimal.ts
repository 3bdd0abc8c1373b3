// The package's own decimal.js constructor for exact values. Every clone here starts from
// decimal.js's defaults (`defaults: true`), never from the global Decimal's current
// settings, so a caller's Decimal.set({ minE, precision, … }) cannot change a result.
import { Decimal } from 'decimal.js';

/**
 * For constructing and comparing exact values (constructors and comparisons never round;
 * the precision only matters for the few approximate steps that say so).
 */
export const X = Decimal.clone({ defaults: true, precision: 40, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });

/**
 * The constructor of every Decimal the package returns: 1400 significant digits,
 * ROUND_HALF_EVEN, decimal.js's full exponent range. At 1400 digits the sum of any two
 * f64 values is exact (their digits span at most 1383 places, 10^308 down to the last
 * digit of 2^-1074), and so is the product of a returned value of up to ~650 digits with
 * a float, so the arithmetic a test typically does on oracle values (x + bias, gelu·up,
 * a difference of two enclosures) stays exact instead of falling to the 20 digits of
 * the global Decimal. Decimal.isDecimal(v) is true for these values; `v instanceof
 * Decimal` is not (convert with new Decimal(v) to work in your own settings).
 */
export const Wide = Decimal.clone({ defaults: true, precision: 1400, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
