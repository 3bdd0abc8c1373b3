#!/usr/bin/env python3
"""Records PyTorch's float32 GELU outputs on the explorer's accuracy sample.

The explorer's build (tools/explorer, `pnpm --filter ./tools/explorer build`) writes the sample's
float32 inputs as bit patterns to public/data/explorer.json. This script evaluates
torch.nn.functional.gelu on them, both forms, on the CPU in float32, and writes the outputs as bit
patterns to recorded/pytorch-cpu.json beside the inputs they came from; the next build scores them
against the oracle with the other backends. CI has no PyTorch, so the recording is committed.

    pnpm --filter ./tools/explorer build
    /usr/bin/python3 tools/explorer/scripts/record_pytorch.py
"""
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

here = Path(__file__).resolve().parent.parent
data = json.loads((here / "public" / "data" / "explorer.json").read_text())
x_bits = np.array(data["sample"]["xBits"], dtype=np.uint32)
x = torch.from_numpy(x_bits.view(np.float32).copy())

outputs = {}
for form in ("none", "tanh"):
    y = torch.nn.functional.gelu(x, approximate=form)
    assert y.dtype == torch.float32
    outputs[form] = y.numpy().view(np.uint32).tolist()

record = {
    "id": "pytorch-cpu",
    "label": f"PyTorch {torch.__version__} (CPU)",
    "description": "torch.nn.functional.gelu(x, approximate=...) on float32 CPU tensors, recorded by tools/explorer/scripts/record_pytorch.py",
    "device": f"{platform.machine()} CPU, torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else 'default'} kernels",
    "precision": "f32",
    "sample": {"composition": data["sample"]["composition"], "xBits": x_bits.tolist()},
    "outputs": outputs,
}
out = here / "recorded" / "pytorch-cpu.json"
out.write_text(json.dumps(record, separators=(",", ":")) + "\n")
print(f"{out}: {len(x_bits)} inputs, {record['label']}", file=sys.stderr)
