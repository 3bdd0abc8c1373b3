#!/usr/bin/env python3
"""Dump PyTorch's GELU and GeGLU outputs for `geglu check`, in safetensors, .npy and JSONL.

    python3 examples/dump_torch.py --dtype bf16 --approximate tanh --out dumps/
    geglu check --fn gelu-tanh --dtype bf16 dumps/gelu.safetensors
    geglu check --fn gelu-tanh --dtype bf16 --x dumps/x.npy --y dumps/y.npy
    geglu check --fn gelu-tanh --dtype bf16 dumps/gelu.jsonl
    geglu check --fn geglu --approximate tanh --dtype bf16 dumps/geglu.safetensors

Writes, in --out:
  gelu.safetensors   tensors x and y = F.gelu(x, approximate=...)
  geglu.safetensors  tensors gate, up and y = F.gelu(gate, approximate=...) * up (as Gemma 2's MLP does it)
  x.npy, y.npy       the gelu pair; bf16 as '<u2' bit patterns (NumPy has no bf16)
  gelu.jsonl         {"i": i, "x": x, "y": y} per line; json.dumps writes NaN and Infinity bare
No torch.save (a pickle). safetensors.torch.save_file is used when the `safetensors` package is
installed; otherwise the file is written here from the format's documented layout (8-byte
little-endian header length, JSON header, raw little-endian bytes), which is all save_file does
for contiguous tensors (Debian has no package for it).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"f32": torch.float32, "f64": torch.float64, "bf16": torch.bfloat16, "f16": torch.float16}
ST_NAMES = {torch.float32: "F32", torch.float64: "F64", torch.bfloat16: "BF16", torch.float16: "F16"}


def inputs(n, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    # a spread over gelu's interesting range, plus the values that trip implementations up:
    # the negative tail (where float32 exact gelu returns +0 for -20, DESIGN.md), zeros, infinities, NaN
    specials = torch.tensor([-20.0, -10.0, -5.5, -0.0, 0.0, 1e-30, 0.5, 2.7, 30.0, float("inf"), float("-inf"), float("nan")], dtype=torch.float64)
    body = torch.randn(n - len(specials), generator=g, dtype=torch.float64) * 4
    return torch.cat([specials, body]).to(dtype)


def save_safetensors(path, tensors):
    try:
        from safetensors.torch import save_file
    except ImportError:
        save_file = None
    if save_file is not None:
        save_file(tensors, path)
        return
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        # bytes in the tensor's own dtype, little-endian (every platform PyTorch runs on here)
        raw = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.contiguous().numpy().tobytes()
        header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the reference writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def gelu(x, approximate):
    try:
        return F.gelu(x, approximate=approximate)
    except RuntimeError as e:
        # e.g. torch 1.13 on CPU: "GeluKernelImpl" not implemented for 'Half'
        print(f"note: {e}; computing in float32 and rounding to {x.dtype} (two roundings)", file=sys.stderr)
        return F.gelu(x.float(), approximate=approximate).to(x.dtype)


def to_numpy(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16)
    return t.numpy()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dtype", choices=DTYPES, default="f32")
    p.add_argument("--approximate", choices=["none", "tanh"], default="none")
    p.add_argument("-n", type=int, default=4096)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="dumps")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    dtype = DTYPES[a.dtype]
    x = inputs(a.n, dtype, a.seed)
    y = gelu(x, a.approximate)
    save_safetensors(os.path.join(a.out, "gelu.safetensors"), {"x": x, "y": y})
    np.save(os.path.join(a.out, "x.npy"), to_numpy(x))
    np.save(os.path.join(a.out, "y.npy"), to_numpy(y))
    with open(os.path.join(a.out, "gelu.jsonl"), "w") as f:
        for i, (xi, yi) in enumerate(zip(x.double().tolist(), y.double().tolist())):
            f.write(json.dumps({"i": i, "x": xi, "y": yi}) + "\n")
    gate = inputs(a.n, dtype, a.seed + 1)
    up = inputs(a.n, dtype, a.seed + 2).flip(0)
    save_safetensors(os.path.join(a.out, "geglu.safetensors"), {"gate": gate, "up": up, "y": gelu(gate, a.approximate) * up})
    print(f"wrote {a.n} {a.dtype} gelu (approximate={a.approximate}) and geglu rows to {a.out}/ with torch {torch.__version__}")


if __name__ == "__main__":
    main()
