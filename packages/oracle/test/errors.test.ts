// Bad input gets an Error whose message names the argument, the expectation and the value.
import { describe, expect, it } from 'vitest';
import { correctlyRounded, Decimal, evaluate, gelu, roundDecimal, stepDistance, ulpError } from '../src/index.js';

describe('bad input', () => {
  it('evaluate: unknown function, missing or out-of-range digits, non-numeric or non-finite x', () => {
    expect(() => evaluate('gelo' as never, 1, { digits: 20 })).toThrow(/evaluate: fn must be one of .*gelu.*got "gelo"/);
    expect(() => evaluate('gelu', 1, {} as never)).toThrow(/options\.digits must be an integer in \[4, 1000\], got undefined/);
    expect(() => evaluate('gelu', 1, { digits: 3 })).toThrow(/options\.digits .* got 3/);
    expect(() => evaluate('gelu', 1, { digits: 10.5 })).toThrow(/got 10\.5/);
    expect(() => evaluate('gelu', 1, { digits: 5000 })).toThrow(/\[4, 1000\], got 5000/);
    expect(() => evaluate('gelu', 'abc', { digits: 20 })).toThrow(/x must be a number, numeric string or Decimal, got "abc"/);
    expect(() => evaluate('gelu', {} as never, { digits: 20 })).toThrow(/got object/);
    expect(() => evaluate('gelu', Infinity, { digits: 20 })).toThrow(/x must be finite, got Infinity/);
    expect(() => evaluate('erf', new Decimal(NaN), { digits: 20 })).toThrow(/x must be finite, got Decimal\(NaN\)/);
  });
  it('correctlyRounded: x not exactly representable in the format, x not a number, bad format', () => {
    expect(() => correctlyRounded('gelu', 0.1, 'f32')).toThrow(/x must be exactly representable in f32, got 0\.1 \(nearest f32 is 0\.10000000149011612\)/);
    expect(() => correctlyRounded('gelu', '1' as never, 'f64')).toThrow(/x must be a number, got "1"/);
    expect(() => correctlyRounded('gelu', 1, 'f16' as never)).toThrow(/format must be 'f32' or 'f64', got "f16"/);
    expect(() => correctlyRounded('tanhh' as never, 1, 'f64')).toThrow(/fn must be one of/);
  });
  it('gelu: bad approximate, missing options', () => {
    expect(() => gelu(1, { approximate: 'erf' as never, digits: 20 })).toThrow(/approximate must be 'none', 'tanh' or 'sigmoid', got "erf"/);
    expect(() => gelu(1, undefined as never)).toThrow(/gelu: options must be an object with digits, got undefined/);
  });
  it('float helpers: non-Decimal values, unrepresentable floats', () => {
    expect(() => roundDecimal(1.5 as never, 'f64')).toThrow(/roundDecimal: value must be a Decimal, got 1\.5/);
    expect(() => stepDistance(0.1, 1, 'f32')).toThrow(/stepDistance: a must be exactly representable in f32/);
    expect(() => stepDistance(1, 'x' as never, 'f64')).toThrow(/stepDistance: b must be a number, got "x"/);
    expect(() => ulpError(1, 1 as never, 'f64')).toThrow(/ulpError: exact must be a Decimal, got 1/);
    expect(() => ulpError(0.1, new Decimal(1), 'f32')).toThrow(/ulpError: computed must be exactly representable in f32/);
  });
});
