"""PyTorch peer for `deno task bench engine`: the same three cases, timed the same way, as a
persistent process so that the bench can interleave our repetitions and the peer's in rounds.

Usage: python3 bench_torch.py THREADS   (0: keep PyTorch's default thread count)

Protocol, one JSON object per line:
- on start it prints {"torch", "threads", "blas", "maxRssKiB"} (or {"error"} and exits 1);
- for each request {"case": name, "reps": n} it times n repetitions and prints {"ms": [...]};
- {"rss": true} prints {"maxRssKiB"}; {"cpu": true} prints {"cpuSeconds"} of the whole process
  (its idle BLAS / OpenMP threads spin for a while after a call);
- end of input ends the process.
Shapes and the loss mirror tasks/engine/bench_cases.ts (gate order does not matter for timing).
"""
import ctypes
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def build_cases():
    torch.manual_seed(1)
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)

    B, H = 16, 256
    x = torch.randn(B, H, requires_grad=True)
    h = torch.randn(B, H, requires_grad=True)
    c = torch.randn(B, H, requires_grad=True)
    W = (torch.rand(2 * H, 4 * H) * 2 - 1).div_(H ** 0.5).requires_grad_()
    bias = torch.zeros(4 * H, requires_grad=True)

    def lstm():
        z = torch.addmm(bias, torch.cat([x, h], 1), W)
        ifo = torch.sigmoid(z[:, : 3 * H])
        g = torch.tanh(z[:, 3 * H:])
        i, f, o = ifo.chunk(3, 1)
        c2 = f * c + i * g
        h2 = o * torch.tanh(c2)
        loss = (h2 * h2).sum() + c2.sum()
        return torch.autograd.grad(loss, [x, h, c, W, bias])

    N, S, C, K = 32, 14, 32, 5
    xc = torch.randn(N, C, S, S, requires_grad=True)
    hc = torch.randn(N, C, S, S, requires_grad=True)
    cc = torch.randn(N, C, S, S, requires_grad=True)
    Wc = (torch.rand(4 * C, 2 * C, K, K) * 2 - 1).div_((K * K * 2 * C) ** 0.5).requires_grad_()
    bc = torch.zeros(4 * C, requires_grad=True)

    def conv_lstm():
        z = F.conv2d(torch.cat([xc, hc], 1), Wc, bc, padding=K // 2)
        ifo = torch.sigmoid(z[:, : 3 * C])
        g = torch.tanh(z[:, 3 * C:])
        i, f, o = ifo.chunk(3, 1)
        c2 = f * cc + i * g
        h2 = o * torch.tanh(c2)
        loss = (h2 * h2).sum() + c2.sum()
        return torch.autograd.grad(loss, [xc, hc, cc, Wc, bc])

    return {"matmul1024": lambda: a @ b, "lstmStep": lstm, "convLstmStep": conv_lstm}


def blas_info():
    """The BLAS torch was built for and the one it loaded (Debian's torch takes libblas.so.3)."""
    config = torch.__config__.show()
    built = next((p.split("=", 1)[1] for p in config.replace(",", " ").split()
                  if p.startswith("BLAS_INFO=")), "unknown")
    torch.randn(64, 64) @ torch.randn(64, 64)  # make sure the BLAS is loaded
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "/" in line}
    paths = [p for p in paths if "blas" in os.path.basename(p) or "mkl" in os.path.basename(p)]
    loaded = [os.path.realpath(p) for p in paths]
    info = {"builtWith": built, "loaded": sorted(set(loaded))}
    for path in info["loaded"]:
        if "openblas" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info["openblas"] = {
                "config": lib.openblas_get_config().decode(),
                "core": lib.openblas_get_corename().decode(),
                "threads": lib.openblas_get_num_threads(),
            }
        except (OSError, AttributeError):
            pass
        break
    return info


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if threads > 0:
        torch.set_num_threads(threads)
    cases = build_cases()
    reply({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_info(),
        "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    })
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("rss"):
            reply({"maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
            continue
        if req.get("cpu"):
            reply({"cpuSeconds": time.process_time()})  # every thread of the process
            continue
        fn = cases.get(req.get("case"))
        if fn is None:
            reply({"error": f"unknown case {req.get('case')!r}"})
            continue
        out = []
        for _ in range(int(req["reps"])):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000.0)
        reply({"ms": out})


if __name__ == "__main__":
    main()
