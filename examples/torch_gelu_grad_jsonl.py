#!/usr/bin/env python3
"""Dump PyTorch's float32 GELU derivative (autograd) as JSONL for `geglu check --fn gelu-grad`.

The inputs are the regions where the derivative is hard: the 8,193 float32s around its root
(x ≈ −0.7518 exact, −0.7525 tanh, where Φ(x) + x·φ(x) cancels) and every 2^12th float32 in
[−16, −4] (the negative tail, which underflows). Each line is {"x": "...", "y": "..."}: exact
decimal expansions of the float32 input and of PyTorch's float32 x.grad after gelu(x).sum().backward().

    /usr/bin/python3 examples/torch_gelu_grad_jsonl.py --approximate none --out grad.jsonl
    geglu check --fn gelu-grad --dtype f32 grad.jsonl          # --approximate tanh: --fn gelu-tanh-grad
"""
import argparse
import json
import math
import sys
from decimal import Decimal


def exact(v: float) -> str:
    if v != v:
        return "NaN"
    return str(Decimal(v))


def root(tanh: bool) -> float:
    """The derivative's zero in float64 by bisection (its sign is all that is used)."""
    def d(x: float) -> float:
        if tanh:
            k = math.sqrt(2 / math.pi)
            t = math.tanh(k * (x + 0.044715 * x**3))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
        return 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    lo, hi = -1.0, -0.5
    for _ in range(200):
        mid = (lo + hi) / 2
        if d(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--approximate", choices=["none", "tanh"], required=True)
    p.add_argument("--out", required=True, help="JSONL file to write ('-' for stdout)")
    a = p.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(f"torch_gelu_grad_jsonl: PyTorch or NumPy is not installed ({e})", file=sys.stderr)
        return 2
    centre = np.array([root(a.approximate == "tanh")], dtype=np.float32).view(np.uint32)[0]
    # float32 bit patterns of negative numbers grow away from zero: ±4096 patterns are ±4096 floats
    near = np.arange(int(centre) - 4096, int(centre) + 4097, dtype=np.uint32)
    lo, hi = (np.array([v], dtype=np.float32).view(np.uint32)[0] for v in (-4.0, -16.0))
    tail = np.arange(int(lo), int(hi) + 1, 4096, dtype=np.uint32)
    xs = np.concatenate([near, tail]).view(np.float32)
    x = torch.from_numpy(xs.copy()).requires_grad_(True)
    torch.nn.functional.gelu(x, approximate=a.approximate).sum().backward()
    ys = x.grad.numpy()
    print(f"torch_gelu_grad_jsonl: PyTorch {torch.__version__}, float32 autograd of gelu approximate={a.approximate!r}: "
          f"{len(near)} floats around the root, {len(tail)} in the tail", file=sys.stderr)
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    with out:
        for xv, yv in zip(xs.tolist(), ys.tolist()):
            out.write(json.dumps({"x": exact(xv), "y": exact(yv)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
