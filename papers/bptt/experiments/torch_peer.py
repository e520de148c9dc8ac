"""PyTorch peer for the measured BPTT experiments: the schemes a user would pick instead.

Same problem shape as `_lstm.ts` (LSTM with D = H, batch B, t steps, an 8-wide linear read-out and a
per-step mean squared error), trained one iteration at a time with
  - bptt: plain autograd through the unrolled loop (PyTorch's own standard BPTT),
  - ckpt_reentrant / ckpt_nonreentrant: torch.utils.checkpoint over ceil(sqrt(t))-step segments,
  - two_level: reentrant checkpoints of ~t^(2/3)-step segments, each made of ~t^(1/3)-step
    checkpointed sub-segments.
Memory: peak resident bytes of one iteration above the level before it (glibc free memory is
returned first with malloc_trim, then /proc/self/clear_refs resets VmHWM), the median of 3
iterations per method. Time: `rounds` interleaved rounds (order reversed every other round) after
one discarded warm-up round; wall and process CPU seconds per iteration, one value per round.
Usage: python3 torch_peer.py T H B ROUNDS SEED; prints one JSON object on stdout.
"""

import ctypes
import gc
import json
import math
import sys
import time
import warnings

import torch
from torch.utils.checkpoint import checkpoint

T, H, B, ROUNDS, SEED = (int(a) for a in sys.argv[1:6])
torch.manual_seed(SEED)
# The reentrant outer checkpoint runs its inner checkpoints under no_grad, which warns; harmless.
warnings.filterwarnings("ignore", message="None of the inputs have requires_grad")
torch.set_num_threads(1)
libc = ctypes.CDLL("libc.so.6")
cell = torch.nn.LSTMCell(H, H)
w_out = torch.randn(H, 8) / math.sqrt(H)
w_out.requires_grad_(True)
x = torch.randn(T, B, H)
y = torch.randn(T, B, 8)
params = list(cell.parameters()) + [w_out]


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def segment(a, b):
    def f(h, c):
        total = torch.zeros(())
        for s in range(a, b):
            h, c = cell(x[s], (h, c))
            total = total + ((h @ w_out - y[s]) ** 2).mean()
        return h, c, total

    return f


def start():
    return torch.zeros(B, H, requires_grad=True), torch.zeros(B, H, requires_grad=True)


def run_segments(h, c, a, b, k, inner):
    total = torch.zeros(())
    for s in range(a, b, k):
        e = min(b, s + k)
        f = inner(s, e)
        h, c, l = f(h, c)
        total = total + l
    return h, c, total


def plain():
    h, c, total = segment(0, T)(*start())
    total.backward()


def ckpt(reentrant):
    k = math.ceil(math.sqrt(T))

    def inner(a, b):
        return lambda h, c: checkpoint(segment(a, b), h, c, use_reentrant=reentrant)

    _, _, total = run_segments(*start(), 0, T, k, inner)
    total.backward()


def two_level():
    k2 = max(1, round(T ** (1 / 3)))
    k1 = k2 * k2

    def leaf(a, b):
        return lambda h, c: checkpoint(segment(a, b), h, c, use_reentrant=True)

    def outer(a, b):
        return lambda h, c: checkpoint(
            lambda hh, cc: run_segments(hh, cc, a, b, k2, leaf), h, c, use_reentrant=True
        )

    _, _, total = run_segments(*start(), 0, T, k1, outer)
    total.backward()


METHODS = {
    "bptt": plain,
    "ckpt_reentrant": lambda: ckpt(True),
    "ckpt_nonreentrant": lambda: ckpt(False),
    "two_level": two_level,
}


def one(f):
    for p in params:
        p.grad = None
    c0 = time.process_time()
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def peak(f):
    for p in params:
        p.grad = None
    gc.collect()
    libc.malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    r0 = status("VmRSS:")
    f()
    return status("VmHWM:") - r0


names = list(METHODS)
grads = {}
for n in names:  # gradients of every scheme against plain BPTT's
    one(METHODS[n])
    grads[n] = torch.cat([p.grad.flatten() for p in params])
grad_diff = {n: float((grads[n] - grads["bptt"]).abs().max()) for n in names}
for n in names:  # warm-up round, discarded
    one(METHODS[n])
peaks = {n: sorted(peak(METHODS[n]) for _ in range(3))[1] for n in names}
wall = {n: [] for n in names}
cpu = {n: [] for n in names}
for r in range(ROUNDS):
    for n in names if r % 2 == 0 else reversed(names):
        ms, cms = one(METHODS[n])
        wall[n].append(ms)
        cpu[n].append(cms)
print(json.dumps({
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "segments": {"sqrt": math.ceil(math.sqrt(T)), "twoLevelInner": max(1, round(T ** (1 / 3)))},
    "methods": {
        n: {"peakRssBytes": peaks[n], "wallMs": wall[n], "cpuMs": cpu[n], "gradMaxAbsDiff": grad_diff[n]}
        for n in names
    },
}))
