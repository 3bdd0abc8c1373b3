// The package's own decimal.js constructor for exact values. Every clone here starts from
// decimal.js's defaults (`defaults: true`), never from the global Decimal's current
// settings, so a caller's Decimal.set({ minE, precision, … }) cannot change a result.
import { Decimal } from 'decimal.js';

/**
 * For constructing and comparing exact values (constructors and comparisons never round;
 * the precision only matters for the few approximate steps that say so).
 */
export const X = Decimal.clone({ defaults: true, precision: 40, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
