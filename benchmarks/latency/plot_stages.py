#!/usr/bin/env python3
"""Stacked bars of where a question's time goes, from eval-open pages (their "Where a question's time goes" table).

  python3 benchmarks/latency/plot_stages.py OUT.png TITLE LABEL=PAGE.md [LABEL=PAGE.md ...]

Each page contributes one bar per index row (mean ms per stage: encode, first stage, span scoring, aggregation), labelled
"LABEL index"; the p50 of the whole question is written above each bar.
"""
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STAGES = ["encode", "first stage", "span scoring", "aggregation"]


def rows(page):
    """(index, [mean per stage], p50 total) for each row of the stage table of an eval-open page."""
    out = []
    in_table = False
    for line in open(page, encoding="utf-8"):
        if line.startswith("| index | backend | encode |"):
            in_table = True
            continue
        if in_table:
            if not line.startswith("|"):
                in_table = False
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0].startswith("---"):
                continue
            triples = [re.findall(r"[0-9.]+", c) for c in cells[2:]]
            means = [float(t[2]) for t in triples[:4]]
            out.append((cells[0], means, float(triples[4][0])))
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    png, title = sys.argv[1], sys.argv[2]
    bars = []
    for arg in sys.argv[3:]:
        label, page = arg.split("=", 1)
        for index, means, p50 in rows(page):
            bars.append((f"{label}\n{index}", means, p50))
    if not bars:
        sys.exit("plot_stages: no stage table found")
    fig, ax = plt.subplots(figsize=(1.6 * len(bars) + 2, 4.5))
    bottom = [0.0] * len(bars)
    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
    for s, name in enumerate(STAGES):
        vals = [b[1][s] for b in bars]
        ax.bar(range(len(bars)), vals, bottom=bottom, color=colors[s], label=name)
        bottom = [x + v for x, v in zip(bottom, vals)]
    for i, b in enumerate(bars):
        ax.text(i, bottom[i] + 0.1, f"p50 {b[2]:.1f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(bars)))
    ax.set_xticklabels([b[0] for b in bars], fontsize=8)
    ax.set_ylabel("ms per question (mean per stage)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = png + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    import os

    os.replace(tmp, png)


if __name__ == "__main__":
    main()
