#!/usr/bin/python3 -s
"""Tables (markdown) and the recall vs q/s plot of benchmarks/faiss/run.sh's rows.

    report.py ROWS.tsv OUT.png OUT-tables.md

Rows (tab-separated, from CpuPeerMain measure and faiss_peer.cpp): label, codec, stage (first-stage | whole), mode
(single | batchN), nprobe, k, recall@10, recall@100, 100-recall@k, questions/s, p50 ms, p99 ms; '#load' lines
record the load average before and after each run; '#note' lines are skipped.
"""
import sys
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {
    "ours-simd": "ours, SIMD (Vector API, 512-bit)",
    "ours-simd256": "ours, SIMD 256-bit (-XX:MaxVectorSize=32)",
    "faiss-avx2": "faiss AVX2 build",
    "faiss-debian": "faiss Debian 1.7.3 (generic)",
}
CODECS = {"sq8": "IVF256-SQ8", "pq": "IVF256-PQ48"}


def read(path):
    rows, loads = [], {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "#note":
            continue
        if f[0] == "#load":
            loads.setdefault(f[1], []).append((f[2], f[3]))
            continue
        rows.append(dict(label=f[0], codec=f[1], stage=f[2], mode=f[3], nprobe=int(f[4]), k=int(f[5]),
                         r10=float(f[6]), r100=float(f[7]), r100k=float(f[8]), qps=float(f[9]), p50=float(f[10]),
                         p99=float(f[11])))
    return rows, loads


def find(rows, **kw):
    out = [r for r in rows if all(r[k] == v for k, v in kw.items())]
    return out[0] if out else None


def tables(rows, loads):
    labels = [l for l in NAMES if any(r["label"] == l for r in rows)]
    md = []
    for codec in CODECS:
        md.append(f"\n### First stage, {CODECS[codec]} (a question = its start and end vector, k = 256 each)\n")
        md.append("| implementation | nprobe | recall@10 | recall@100 | 100-recall@256 | single q/s | p50 ms | p99 ms"
                  " | batch-64 q/s |")
        md.append("|---|---|---|---|---|---|---|---|---|")
        for label in labels:
            for r in sorted((r for r in rows if r["label"] == label and r["codec"] == codec
                             and r["stage"] == "first-stage" and r["mode"] == "single"), key=lambda r: r["nprobe"]):
                b = find(rows, label=label, codec=codec, stage="first-stage", mode="batch64", nprobe=r["nprobe"])
                md.append(f"| {NAMES[label]} | {r['nprobe']} | {r['r10']:.3f} | {r['r100']:.3f} | {r['r100k']:.3f}"
                          f" | {r['qps']:.1f} | {r['p50']:.2f} | {r['p99']:.2f} | {b['qps']:.1f} |" if b else "")
    md.append("\n### The whole question (first stage, span scoring, aggregation), from the question vectors\n")
    md.append("| implementation | index | nprobe | single q/s | p50 ms | p99 ms | batch-64 q/s |")
    md.append("|---|---|---|---|---|---|---|")
    for codec in CODECS:
        for w in sorted((r for r in rows if r["label"] == "ours-simd" and r["codec"] == codec
                         and r["stage"] == "whole" and r["mode"] == "single"), key=lambda r: r["nprobe"]):
            np_ = w["nprobe"]
            wb = find(rows, label="ours-simd", codec=codec, stage="whole", mode="batch64", nprobe=np_)
            md.append(f"| {NAMES['ours-simd']} | {CODECS[codec]} | {np_} | {w['qps']:.1f} | {w['p50']:.1f}"
                      f" | {w['p99']:.1f} | {wb['qps']:.1f} |")
    md.append("\nLoad average (1, 5, 15 min) before and after each run:\n")
    for label, ls in loads.items():
        md.append(f"- {label}: " + "; ".join(f"{a} -> {b}" for a, b in ls))
    return "\n".join(md) + "\n"


def plot(rows, out):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {"ours-simd": ("tab:blue", "o"), "ours-simd256": ("tab:cyan", "s"), "faiss-avx2": ("tab:red", "^"),
              "faiss-debian": ("tab:gray", "v")}
    for ax, codec in zip(axes, CODECS):
        for label, (color, marker) in styles.items():
            for mode, ls in (("single", "-"), ("batch64", "--")):
                pts = sorted(((r["r10"], r["qps"], r["nprobe"]) for r in rows if r["label"] == label
                              and r["codec"] == codec and r["stage"] == "first-stage" and r["mode"] == mode),
                             key=lambda p: p[2])  # in nprobe order
                if not pts:
                    continue
                ax.plot([p[0] for p in pts], [p[1] for p in pts], ls, color=color, marker=marker,
                        label=f"{NAMES[label]}, {'single questions' if mode == 'single' else 'batches of 64'}")
                if mode == "single":
                    for x, y, n in pts:
                        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
        ax.set_yscale("log")
        ax.set_xlabel("recall@10 vs exact search (first stage)")
        ax.set_ylabel("questions/s (2 query vectors each)")
        ax.set_title(f"{CODECS[codec]}, first stage (labels: nprobe)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("CPU first stage over the 20,963-paragraph dump, 2 cores: ours vs faiss", fontsize=11)
    fig.tight_layout()
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    import os
    os.replace(tmp, out)


def main():
    rows, loads = read(sys.argv[1])
    plot(rows, sys.argv[2])
    md = tables(rows, loads)
    tmp = sys.argv[3] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(md)
    import os
    os.replace(tmp, sys.argv[3])
    print(md)


if __name__ == "__main__":
    main()
