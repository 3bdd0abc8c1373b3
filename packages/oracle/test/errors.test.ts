// Bad input gets a GegluError (@geglu/float's convention) reading "<fn>: <argument> is X, expected Y".
import { describe, expect, it } from 'vitest';
import { correctlyRounded, Decimal, evaluate, gelu, GegluError, roundDecimal, stepDistance, ulpError } from '../src/index.js';

describe('bad input', () => {
  it('evaluate: unknown function, missing or out-of-range digits, non-numeric or non-finite x', () => {
    expect(() => evaluate('gelo' as never, 1, { digits: 20 })).toThrow(GegluError);
    expect(() => evaluate('gelo' as never, 1, { digits: 20 })).toThrow(/^evaluate: fn is "gelo", expected one of .*gelu/);
    expect(() => evaluate('gelu', 1, {} as never)).toThrow(/^evaluate: options\.digits is undefined, expected an integer in \[4, 1000\]$/);
    expect(() => evaluate('gelu', 1, { digits: 3 })).toThrow(/options\.digits is 3, expected/);
    expect(() => evaluate('gelu', 1, { digits: 10.5 })).toThrow(/is 10\.5, expected/);
    expect(() => evaluate('gelu', 1, { digits: 5000 })).toThrow(/is 5000, expected an integer in \[4, 1000\]/);
    expect(() => evaluate('gelu', 'abc', { digits: 20 })).toThrow(/^evaluate: x is "abc", expected a number, numeric string or Decimal$/);
    expect(() => evaluate('gelu', {} as never, { digits: 20 })).toThrow(/x is an object \(Object\), expected/);
    expect(() => evaluate('gelu', Infinity, { digits: 20 })).toThrow(/^evaluate: x is Infinity, expected a finite number$/);
    expect(() => evaluate('erf', new Decimal(NaN), { digits: 20 })).toThrow(/x is Decimal\(NaN\), expected a finite number/);
  });
  it('correctlyRounded: x not exactly representable in the format, x not a number, bad format', () => {
    expect(() => correctlyRounded('gelu', 0.1, 'f32')).toThrow(
      /^correctlyRounded: x is 0\.1, expected a number exactly representable in f32 \(the nearest is 0\.10000000149011612\)$/,
    );
    expect(() => correctlyRounded('gelu', '1' as never, 'f64')).toThrow(/^correctlyRounded: x is "1", expected a number$/);
    expect(() => correctlyRounded('gelu', 1, 'f8' as never)).toThrow(
      /^correctlyRounded: format is "f8", expected one of 'f64', 'f32', 'bf16', 'f16'$/,
    );
    expect(() => correctlyRounded('gelu', 1 + 2 ** -8, 'bf16')).toThrow(
      /^correctlyRounded: x is 1\.00390625, expected a number exactly representable in bf16/,
    );
    expect(() => correctlyRounded('tanhh' as never, 1, 'f64')).toThrow(/fn is "tanhh", expected one of/);
  });
  it('gelu: bad approximate, missing options', () => {
    expect(() => gelu(1, { approximate: 'erf' as never, digits: 20 })).toThrow(
      /^gelu: options\.approximate is "erf", expected 'none', 'tanh' or 'sigmoid'$/,
    );
    expect(() => gelu(1, undefined as never)).toThrow(/^gelu: options is undefined, expected an object with digits$/);
  });
  it('float helpers: non-Decimal values, unrepresentable floats', () => {
    expect(() => roundDecimal(1.5 as never, 'f64')).toThrow(/^roundDecimal: value is 1\.5, expected a Decimal$/);
    expect(() => stepDistance(0.1, 1, 'f32')).toThrow(/^stepDistance: a is 0\.1, expected a number exactly representable in f32/);
    expect(() => stepDistance(1, 'x' as never, 'f64')).toThrow(/^stepDistance: b is "x", expected a number$/);
    expect(() => ulpError(1, 1 as never, 'f64')).toThrow(/^ulpError: exact is 1, expected a Decimal$/);
    expect(() => ulpError(0.1, new Decimal(1), 'f32')).toThrow(
      /^ulpError: computed is 0\.1, expected a number exactly representable in f32/,
    );
  });
});
