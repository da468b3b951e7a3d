#!/usr/bin/env python3
"""torch baselines for native/bench/dp_bench: the same computations and sizes, timed the same way.

Prints one JSON object per result on lines starting with "RESULT " (names match dp_bench's, see report.py for
how rows are paired):
  flat   fp16 / fp32: q @ X.T + topk. int8: torch has no int8 x float matmul, and dequantizing on the fly would
         be unfair to it, so the baseline is the fp16 matmul + topk over the same number of vectors (2 chunks of
         25M fp16 vectors, topk per chunk, merged).
  pq     fp16 brute force (matmul + topk) over the decoded vectors (random fp16 stand-ins: decoding is not timed).
  span   gather of the L partner rows, bmm, masked max, own scores, topk.
  loss   matmul + cross_entropy per side, backward (fp32; torch's default, TF32 off).
Timing: CUDA events around each call, median of many after warm-up (as dp_bench).

  python3 benchmarks/gpu/torch_baseline.py [--group flat|pq|span|loss|all] [--quick] [--few] [--sweep]
"""
import argparse
import json
import math
import statistics
import sys

import torch
import torch.nn.functional as F

DEV = "cuda"
QUICK = False
FEW = False  # at most 10 repetitions (sizes unchanged)
FULL_SWEEP = False


def time_ms(fn, warm=1, reps=None):
    """Median milliseconds of fn(i) over reps runs after warm runs, each run between its own events."""
    for i in range(warm):
        fn(i)
    torch.cuda.synchronize()
    if reps is None:
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn(warm)
        b.record()
        b.synchronize()
        est = a.elapsed_time(b)
        few = QUICK or FEW
        reps = max(3 if few else 7, min(int(600 / max(est, 0.01)), 10 if few else 50))
    times = []
    for i in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn(warm + i)
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


COPY_GBPS = 0.0


def result(group, name, variant, ms, bytes_=0.0, flops=0.0, note=""):
    gbps = bytes_ / (ms * 1e6) if bytes_ else 0.0
    print("RESULT " + json.dumps({
        "group": group, "name": name, "variant": variant, "ms": round(ms, 5), "bytes": bytes_,
        "gbps": round(gbps, 1), "pct_copy": round(100 * gbps / COPY_GBPS, 1) if COPY_GBPS else 0.0,
        "flops": flops, "tflops": round(flops / (ms * 1e9), 2) if flops else 0.0, "note": note}), flush=True)


def bandwidth():
    global COPY_GBPS
    n = (1 if QUICK else 4) << 30
    a = torch.randint(0, 255, (n,), dtype=torch.uint8, device=DEV)
    b = torch.empty_like(a)
    ms = time_ms(lambda i: b.copy_(a), warm=2, reps=5 if QUICK else 20)
    COPY_GBPS = 2 * n / (ms * 1e6)
    result("bandwidth", f"copy d2d {n / 2**30:.0f} GiB", "torch copy_", ms, 2.0 * n, note="read + write bytes")
    del a, b
    torch.cuda.empty_cache()


def rand_half(n, d, scale=1.0):
    x = torch.empty((n, d), dtype=torch.float16, device=DEV)
    for s in range(0, n, 1 << 22):  # chunks: uniform_ on fp16 needs no big temporaries, but keep it gentle
        x[s:s + (1 << 22)].uniform_(-scale, scale)
    return x


def topk_chunks(q, chunks, k):
    """fp16 scores per chunk, topk per chunk, merged: the usual way past a size that does not fit at once."""
    vals, ids, base = [], [], 0
    for x in chunks:
        s = q @ x.T
        v, i = torch.topk(s, k, dim=1)
        vals.append(v)
        ids.append(i + base)
        base += x.shape[0]
    if len(chunks) == 1:
        return vals[0], ids[0]
    v, j = torch.topk(torch.cat(vals, 1), k, dim=1)
    return v, torch.cat(ids, 1).gather(1, j)


def flat():
    d = 768
    n16 = 1_000_000 if QUICK else 25_000_000
    x = rand_half(n16, d)
    shapes = [(1, 100), (16, 100), (64, 100), (16, 1000)]
    if FULL_SWEEP:  # the lab's rows (tools/gpu-kernels-lab.sh): nq up to 256, k up to 2048
        shapes = [(nq, 100) for nq in (1, 4, 16, 64, 256)] + [(nq, k) for nq in (1, 16, 64) for k in (1000, 2048)]
    for nq, k in shapes:
        q = torch.empty((nq, d), dtype=torch.float16, device=DEV).uniform_(-1, 1)
        ms = time_ms(lambda i: topk_chunks(q, [x], k))
        result("flat", f"flat fp16 n={n16} d={d} nq={nq} k={k}", "torch fp16 matmul+topk", ms, 2.0 * n16 * d,
               2.0 * n16 * d * nq)
        # int8 rows of dp_bench: 50M vectors = the 25M fp16 vectors twice
        n8 = 2 * n16
        ms = time_ms(lambda i: topk_chunks(q, [x, x], k))
        result("flat", f"flat int8 n={n8} d={d} nq={nq} k={k}", "torch fp16 matmul+topk (same count, fp16)", ms,
               2.0 * n8 * d, 2.0 * n8 * d * nq, "baseline reads fp16 vectors: 2x the int8 bytes")
    del x
    torch.cuda.empty_cache()
    n32 = 500_000 if QUICK else 10_000_000
    x = torch.empty((n32, d), dtype=torch.float32, device=DEV).uniform_(-1, 1)
    for nq in (1, 16):
        q = torch.empty((nq, d), dtype=torch.float32, device=DEV).uniform_(-1, 1)
        ms = time_ms(lambda i: torch.topk(q @ x.T, 100, dim=1))
        result("flat", f"flat fp32 n={n32} d={d} nq={nq} k=100", "torch fp32 matmul+topk", ms, 4.0 * n32 * d,
               2.0 * n32 * d * nq)
    del x
    torch.cuda.empty_cache()


def pq():
    d, nq, k = 768, 16, 100
    n = 1_000_000 if QUICK else 20_000_000
    x = rand_half(n, d, 0.3)
    q = torch.empty((nq, d), dtype=torch.float16, device=DEV).uniform_(-1, 1)
    ms = time_ms(lambda i: topk_chunks(q, [x], k))
    result("pq", f"bruteforce-pq n={n} d={d} nq={nq} k={k}", "torch fp16 brute force over decoded vectors", ms,
           2.0 * n * d, 2.0 * n * d * nq)
    del x
    torch.cuda.empty_cache()


def span_torch(tokens, starts, qs, qe, cand, L, direction, k):
    nq, kc = cand.shape
    ntok, d = tokens.shape
    doc = torch.searchsorted(starts, cand, right=True) - 1
    off = torch.arange(L, device=DEV)
    if direction == 0:
        idx = cand[..., None] + off
        valid = idx < starts[doc + 1][..., None]
        wp, wo = qe, qs
    else:
        idx = cand[..., None] - off
        valid = idx >= starts[doc][..., None]
        wp, wo = qs, qe
    idx = idx.clamp(0, ntok - 1)
    v = tokens[idx]  # (nq, kc, L, d): the gather torch needs
    ps = torch.bmm(v.view(nq, kc * L, d), wp[:, :, None]).view(nq, kc, L)
    ps = ps.masked_fill(~valid, float("-inf"))
    best, arg = ps.max(-1)
    own = torch.bmm(tokens[cand], wo[:, :, None]).squeeze(-1)
    total = own.float() + best.float()
    top, top_i = torch.topk(total, k, dim=1)
    other = idx.gather(-1, arg[..., None]).squeeze(-1)
    return top, top_i, other


def span():
    d, nq, kc, k = 768, 16, 1024, 100
    ntok = 1_000_000 if QUICK else 8_000_000
    g = torch.Generator().manual_seed(7)
    lens = torch.randint(50, 301, (ntok // 50 + 1,), generator=g)
    starts = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(lens, 0)])
    starts = starts[starts < ntok]
    starts = torch.cat([starts, torch.tensor([ntok])]).to(DEV)
    cands = [torch.stack([torch.randperm(ntok, generator=g)[:kc] for _ in range(nq)]).to(DEV) for _ in range(4)]
    for dtype, tn in [(torch.float16, "fp16"), (torch.float32, "fp32")]:
        if dtype == torch.float16:
            tokens = rand_half(ntok, d)
        else:
            tokens = torch.empty((ntok, d), dtype=dtype, device=DEV).uniform_(-1, 1)
        qs = torch.empty((nq, d), dtype=dtype, device=DEV).uniform_(-1, 1)
        qe = torch.empty((nq, d), dtype=dtype, device=DEV).uniform_(-1, 1)
        es = tokens.element_size()
        for L in (10, 30):
            for direction in (0, 1):
                if direction == 1 and (tn != "fp16" or L != 30):
                    continue
                ms = time_ms(lambda i: span_torch(tokens, starts, qs, qe, cands[i % 4], L, direction, k))
                rows = nq * kc * (L + 1)
                result("span", f"span {tn} tokens={ntok} d={d} nq={nq} cand={kc} L={L} dir={direction} k={k}",
                       f"torch {tn} gather+bmm+max+topk", ms, float(rows * d * es), 2.0 * rows * d)
        del tokens
        torch.cuda.empty_cache()


def loss():
    d = 768
    for b, c in [(64, 128), (128, 1024), (256, 2048)]:
        set_floats = (4 * b + 2 * c) * d
        nsets = min(64, max(2, (64 << 20) // (set_floats * 4) + 1))
        sets = []
        for s in range(nsets):
            t = [torch.empty((b, d), device=DEV).uniform_(-0.05, 0.05).requires_grad_() for _ in range(4)]
            t += [torch.empty((c, d), device=DEV).uniform_(-0.05, 0.05) for _ in range(2)]
            sets.append(t)
        target = torch.arange(b, device=DEV)

        def run(i):
            qs, qe, ps, pe, cs, ce = sets[i % nsets]
            for t in (qs, qe, ps, pe):
                t.grad = None
            ls = F.cross_entropy(qs @ torch.cat([ps, cs]).T, target)
            le = F.cross_entropy(qe @ torch.cat([pe, ce]).T, target)
            ((ls + le) / 2).backward()

        ms = time_ms(run, warm=3, reps=None)
        n = b + c
        flops = 2 * (2.0 * b * n * d * 2 + 2.0 * b * b * d)
        result("loss", f"loss b={b} cache={c} d={d} fwd+bwd", "torch matmul+cross_entropy+backward (fp32)", ms,
               4.0 * (set_floats + 4 * b * d), flops)
        del sets
        torch.cuda.empty_cache()


def main():
    global QUICK, FEW, FULL_SWEEP
    ap = argparse.ArgumentParser()
    ap.add_argument("--group", default="all")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--few", action="store_true", help="3..10 repetitions per result, full sizes")
    ap.add_argument("--sweep", action="store_true", help="flat: nq 1..256 and k up to 2048 (the lab's rows)")
    a = ap.parse_args()
    QUICK, FEW, FULL_SWEEP = a.quick, a.few, a.sweep
    p = torch.cuda.get_device_properties(0)
    print("DEVICE " + json.dumps({"name": p.name, "torch": torch.__version__,
                                  "tf32_matmul": torch.backends.cuda.matmul.allow_tf32}), flush=True)
    bandwidth()
    for g, f in [("flat", flat), ("pq", pq), ("span", span), ("loss", loss)]:
        if a.group in (g, "all"):
            f()


if __name__ == "__main__":
    sys.exit(main())
