#!/usr/bin/env python3
"""Dump PyTorch's bf16 or f16 GELU on all 65,536 inputs of the format as JSONL for `geglu check`.

Each line is {"x": "...", "y": "..."}: the exact decimal expansion of the 16-bit input and of
PyTorch's 16-bit result (Python's Decimal of the float64 holding it, so it reads back to the same
value in any format that holds it), NaN and the infinities spelled out.

    python3 examples/torch_gelu_jsonl.py --dtype bf16 --approximate none --out gelu-bf16.jsonl
    geglu check --fn gelu --dtype bf16 gelu-bf16.jsonl

--compute native (default) calls torch.nn.functional.gelu on the 16-bit tensor. Some builds have no
16-bit GELU on the CPU (Debian's PyTorch 1.13 has none for float16): then the script says so and
exits 2, unless --compute f32 is given, which evaluates in float32 and converts the result to the
16-bit format (what a user without a 16-bit kernel writes, and what PyTorch's own 16-bit kernels do
internally, DESIGN.md and docs/bf16-f16.md). The first line on stderr says which ran.
"""
import argparse
import json
import sys
from decimal import Decimal


def exact(v: float) -> str:
    if v != v:
        return "NaN"
    return str(Decimal(v))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dtype", choices=["bf16", "f16"], required=True)
    p.add_argument("--approximate", choices=["none", "tanh"], required=True)
    p.add_argument("--compute", choices=["native", "f32"], default="native")
    p.add_argument("--out", required=True, help="JSONL file to write ('-' for stdout)")
    a = p.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"torch_gelu_jsonl: PyTorch is not installed ({e})", file=sys.stderr)
        return 2
    dt = torch.bfloat16 if a.dtype == "bf16" else torch.float16
    x = torch.arange(65536, dtype=torch.int32).to(torch.int16).view(dt)
    gelu = torch.nn.functional.gelu
    try:
        y = gelu(x, approximate=a.approximate) if a.compute == "native" else gelu(x.float(), approximate=a.approximate).to(dt)
    except RuntimeError as e:
        print(f"torch_gelu_jsonl: PyTorch {torch.__version__} has no {a.dtype} gelu here ({e}); --compute f32 evaluates in float32 and converts", file=sys.stderr)
        return 2
    print(f"torch_gelu_jsonl: PyTorch {torch.__version__}, {a.dtype} gelu approximate={a.approximate!r}, computed {'in ' + a.dtype if a.compute == 'native' else 'in float32, converted to ' + a.dtype}", file=sys.stderr)
    xs = x.float().tolist()
    ys = y.float().tolist()
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    with out:
        for xv, yv in zip(xs, ys):
            out.write(json.dumps({"x": exact(xv), "y": exact(yv)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
