"""PyTorch peer for `deno task bench engine`: the same three cases, timed the same way.

Usage: python3 bench_torch.py '{"threads": 1, "reps": {"matmul": 10, ...}}'
Prints one JSON object: {"torch": version, "threads": n, "cases": {name: {"ms": [...]}}, "maxRssKiB": n}.
Shapes and the loss mirror tasks/engine/bench_cases.ts (gate order does not matter for timing).
"""
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def time_it(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def main():
    cfg = json.loads(sys.argv[1])
    if int(cfg["threads"]) > 0:  # 0: keep PyTorch's default
        torch.set_num_threads(int(cfg["threads"]))
    torch.manual_seed(1)
    reps, warm = cfg["reps"], cfg.get("warmup", 3)
    res = {}

    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    res["matmul1024"] = time_it(lambda: a @ b, reps["matmul1024"], warm)

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

    res["lstmStep"] = time_it(lstm, reps["lstmStep"], warm)

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

    res["convLstmStep"] = time_it(conv_lstm, reps["convLstmStep"], warm)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cases": {k: {"ms": v, "msMedian": median(v)} for k, v in res.items()},
        "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
