#!/usr/bin/env python3
"""An independent cross-check of `geglu check` for bf16/f16 GELU dumps, with mpmath alone.

Shares no code with geglu: it reads the same JSONL lines {"x": "...", "y": "..."}, evaluates the
exact GELU with mpmath (gelu: x/2*erfc(-x/sqrt(2)); tanh form: x/(1 + exp(-2u)),
u = sqrt(2/pi)*(x + 0.044715*x^3), 0.044715 as the exact decimal), rounds it once to the format
(nearest, ties to even, subnormals, overflow to infinity) and counts the lines whose y is not
bit-identical to that: a zero of the wrong sign is a mismatch, counted apart; any NaN equals any
NaN. Each value is computed at two working precisions (96 and 192 bits, then doubling) until both
round to the same 16-bit value: a cross-check, not a proof.

    python3 examples/mpmath_check_gelu_jsonl.py --fn gelu --dtype bf16 gelu-bf16.jsonl

Prints one line: lines, mismatches, zero sign (of the mismatches), NaN-vs-number (of the mismatches).
"""
import argparse
import json
import math
import sys

import mpmath
from mpmath import mp, mpf

# (significand bits incl. the implicit one, exponent of the smallest normal, exponent of the largest binade)
FORMATS = {"bf16": (8, -126, 127), "f16": (11, -14, 15)}


def round_to(v, fmt):
    """The float of format fmt nearest to the mpf v (ties to even), as a Python float."""
    p, emin, emax = FORMATS[fmt]
    if v == 0:
        return 0.0
    neg = v < 0
    man, exp = mpmath.mpf(abs(v)).man_exp  # |v| = man * 2^exp exactly
    e = man.bit_length() - 1 + exp  # 2^e <= |v| < 2^(e+1)
    if e < emin - p:  # below half the smallest subnormal 2^(emin-p+1)
        return -0.0 if neg else 0.0
    if e > emax:
        return -math.inf if neg else math.inf
    q = max(e, emin) - (p - 1)  # the quantum of |v|'s binade (subnormals share emin's)
    shift = exp - q
    if shift >= 0:
        n = man << shift
    else:
        n, r = divmod(man, 1 << -shift)
        half = 1 << (-shift - 1)
        if r > half or (r == half and n % 2 == 1):
            n += 1
    r = math.inf if n * mpf(2) ** q > (2 - mpf(2) ** (1 - p)) * mpf(2) ** emax else math.ldexp(n, q)
    return -r if neg else r


def exact_gelu(x, tanh):
    if tanh:
        u = mp.sqrt(2 / mp.pi) * (x + mpf("0.044715") * x ** 3)
        return x / (1 + mp.exp(-2 * u))
    return x / 2 * mp.erfc(-x / mp.sqrt(2))


def correct(xs, fmt, tanh):
    """Correctly rounded gelu of the decimal string xs in fmt (a Python float)."""
    if xs.lower().lstrip("+-") in ("nan",):
        return math.nan
    xf = float(xs)
    if math.isinf(xf):
        return xf if xf > 0 else -0.0
    if xf == 0:
        return xf  # gelu(±0) = ±0
    # the dump holds exact decimals of 16-bit values, so float() is exact; anything else is refused
    mp.prec = 64
    if round_to(mpf(xf), fmt) != xf or mpf(xs) != mpf(xf):
        raise ValueError(f"x = {xs} is not exactly a {fmt} value")
    prec = 96
    while True:
        results = []
        for pr in (prec, 2 * prec):
            mp.prec = pr
            results.append(round_to(exact_gelu(mpf(xf), tanh), fmt))
        if results[0] == results[1] and math.copysign(1, results[0]) == math.copysign(1, results[1]):
            r = results[0]
            return math.copysign(0.0, xf) if r == 0 and xf < 0 else r
        prec *= 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fn", choices=["gelu", "gelu-tanh"], required=True)
    ap.add_argument("--dtype", choices=list(FORMATS), required=True)
    ap.add_argument("file")
    a = ap.parse_args()
    lines = mismatches = zero_sign = nan_vs_number = 0
    with open(a.file) as f:
        for line in f:
            rec = json.loads(line)
            want = correct(rec["x"], a.dtype, a.fn == "gelu-tanh")
            got = float(rec["y"])
            lines += 1
            if math.isnan(want) or math.isnan(got):
                if math.isnan(want) != math.isnan(got):
                    mismatches += 1
                    nan_vs_number += 1
            elif got != want:
                mismatches += 1
            elif got == 0 and math.copysign(1, got) != math.copysign(1, want):
                mismatches += 1
                zero_sign += 1
    print(f"mpmath check {a.fn} {a.dtype}: {lines} lines, {mismatches} mismatches, {zero_sign} zero sign, {nan_vs_number} NaN vs number")
    return 0


if __name__ == "__main__":
    sys.exit(main())
