#!/usr/bin/python3 -s
"""Exact top-k by inner product of the exported queries over the exported base vectors (benchmarks/faiss/run.sh).

    exact_topk.py DIR [k]

Reads DIR/meta.txt (n, dim, nq), DIR/base.f32 (n)(dim) and DIR/queries.f32 (nq)(dim), little-endian float32, and
writes DIR/gt.i64 (nq)(k) int64 row ids, best first (tmp + rename). numpy's float32 matrix product (OpenBLAS), the
base read in blocks of 65,536 rows: about a minute for 1,000 queries over 2.3M x 384 on 2 cores.
"""
import os
import sys

import numpy as np


def main():
    d = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    meta = dict(line.split() for line in open(os.path.join(d, "meta.txt")))
    n, dim, nq = int(meta["n"]), int(meta["dim"]), int(meta["nq"])
    base = np.memmap(os.path.join(d, "base.f32"), dtype="<f4", mode="r", shape=(n, dim))
    q = np.fromfile(os.path.join(d, "queries.f32"), dtype="<f4").reshape(nq, dim)
    best_s = np.full((nq, k), -np.inf, dtype=np.float32)
    best_i = np.full((nq, k), -1, dtype=np.int64)
    block = 65536
    for start in range(0, n, block):
        x = np.asarray(base[start:start + block])
        s = q @ x.T  # (nq)(block)
        kk = min(k, s.shape[1])
        part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
        cand_s = np.concatenate([best_s, np.take_along_axis(s, part, axis=1)], axis=1)
        cand_i = np.concatenate([best_i, part.astype(np.int64) + start], axis=1)
        top = np.argsort(-cand_s, axis=1, kind="stable")[:, :k]
        best_s = np.take_along_axis(cand_s, top, axis=1)
        best_i = np.take_along_axis(cand_i, top, axis=1)
    tmp = os.path.join(d, "gt.i64.tmp")
    best_i.astype("<i8").tofile(tmp)
    os.replace(tmp, os.path.join(d, "gt.i64"))
    print(f"exact_topk: {nq} queries x top-{k} over {n} x {dim} -> {d}/gt.i64")


if __name__ == "__main__":
    main()
