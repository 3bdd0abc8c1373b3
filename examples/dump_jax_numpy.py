#!/usr/bin/env python3
"""Dump JAX's (or plain NumPy's) GELU outputs as .npy pairs for `geglu check`.

    python3 examples/dump_jax_numpy.py --impl jax --dtype bf16 --approximate tanh --out dumps/
    geglu check --fn gelu-tanh --dtype bf16 --x dumps/x.npy --y dumps/y.npy

--impl jax   jax.nn.gelu(x, approximate=...) (needs the jax package)
--impl numpy the tanh form written out in NumPy in x's dtype (f16, f32, f64), as a hand-rolled
             implementation would be; NumPy has no erf, so only --approximate tanh
bf16 (JAX only; NumPy has no bf16) is saved as '<u2' bit patterns: read it with --dtype bf16.
"""
import argparse
import os
import sys

import numpy as np


def inputs(n, seed):
    rng = np.random.default_rng(seed)
    specials = np.array([-20.0, -10.0, -5.5, -0.0, 0.0, 1e-30, 0.5, 2.7, 30.0, np.inf, -np.inf, np.nan])
    return np.concatenate([specials, rng.standard_normal(n - len(specials)) * 4])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--impl", choices=["jax", "numpy"], default="numpy")
    p.add_argument("--dtype", choices=["f16", "f32", "f64", "bf16"], default="f32")
    p.add_argument("--approximate", choices=["none", "tanh"], default="tanh")
    p.add_argument("-n", type=int, default=4096)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="dumps")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    x64 = inputs(a.n, a.seed)
    if a.impl == "jax":
        try:
            import jax
            import jax.numpy as jnp
        except ImportError:
            sys.exit("dump_jax_numpy.py: --impl jax needs the jax package (pip install jax); --impl numpy needs only NumPy")
        if a.dtype == "f64":
            jax.config.update("jax_enable_x64", True)
        dtype = {"f16": jnp.float16, "f32": jnp.float32, "f64": jnp.float64, "bf16": jnp.bfloat16}[a.dtype]
        x = jnp.asarray(x64).astype(dtype)
        y = jax.nn.gelu(x, approximate=a.approximate == "tanh")
        if a.dtype == "bf16":
            x_np, y_np = (np.asarray(jax.lax.bitcast_convert_type(t, jnp.uint16)) for t in (x, y))
        else:
            x_np, y_np = np.asarray(x), np.asarray(y)
    else:
        if a.dtype == "bf16":
            sys.exit("dump_jax_numpy.py: NumPy has no bf16; use --impl jax for bf16")
        if a.approximate != "tanh":
            sys.exit("dump_jax_numpy.py: NumPy has no erf; --impl numpy writes the tanh form only")
        dtype = {"f16": np.float16, "f32": np.float32, "f64": np.float64}[a.dtype]
        x_np = x64.astype(dtype)
        c = dtype(np.sqrt(2 / np.pi))
        with np.errstate(over="ignore", invalid="ignore"):
            y_np = dtype(0.5) * x_np * (dtype(1) + np.tanh(c * (x_np + dtype(0.044715) * x_np**3)))
    np.save(os.path.join(a.out, "x.npy"), np.ascontiguousarray(x_np))
    np.save(os.path.join(a.out, "y.npy"), np.ascontiguousarray(y_np))
    print(f"wrote {a.n} {a.dtype} gelu (approximate={a.approximate}, {a.impl}) pairs to {a.out}/x.npy and y.npy")


if __name__ == "__main__":
    main()
