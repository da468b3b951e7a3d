"""Torch eager baseline for DJL training throughput (same run as TrainThroughputMain on the GPU machine).

The same architecture as our DJL BertEncoderBlock: post-LayerNorm BERT layers (HF BertLayer), exact erf GELU,
eps 1e-12, padding keys -10000, word + position + type embeddings; a 2-unit span head, start/end cross-entropy,
AdamW (torch.optim.AdamW, fused where available), fp32, random ids. Prints tokens/s like the Java main, with and
without TF32 matmuls.

    python3 benchmarks/gpu/train_throughput.py --layers 12 --hidden 384 --heads 12 --batch 64 --seq 256
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, ffn, p):
        super().__init__()
        self.h, self.heads = h, heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.i, self.out = nn.Linear(h, ffn), nn.Linear(ffn, h)
        self.drop = nn.Dropout(p)

    def forward(self, x, bias):
        b, t, h = x.shape
        d = h // self.heads
        q = self.q(x).view(b, t, self.heads, d).transpose(1, 2)
        k = self.k(x).view(b, t, self.heads, d).transpose(1, 2)
        v = self.v(x).view(b, t, self.heads, d).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        a = self.drop(s.softmax(-1)) @ v
        a = a.transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.drop(self.o(a)))
        return self.ln2(x + self.drop(self.out(F.gelu(self.i(x)))))


class Encoder(nn.Module):
    def __init__(self, layers, h, heads, p=0.1):
        super().__init__()
        self.word, self.pos, self.typ = nn.Embedding(30522, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)
        self.layers = nn.ModuleList(Layer(h, heads, 4 * h, p) for _ in range(layers))
        self.head = nn.Linear(h, 2, bias=False)

    def forward(self, ids, types, mask):
        t = ids.shape[1]
        x = self.word(ids) + self.pos(torch.arange(t, device=ids.device))[None] + self.typ(types)
        x = self.drop(self.ln(x))
        bias = (1.0 - mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(x)


def run(args, tf32, read_loss):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.manual_seed(1)
    dev = torch.device("cuda")
    model = Encoder(args.layers, args.hidden, args.heads).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    b, t = args.batch, args.seq
    sec = 0.0
    for s in range(args.warmup + args.steps):
        ids = torch.randint(1000, 30000, (b, t), device=dev)
        types = (torch.arange(t, device=dev) >= 32).long().expand(b, t)
        mask = torch.ones(b, t, dtype=torch.long, device=dev)
        gs = torch.randint(32, t - 8, (b,), device=dev)
        ge = torch.randint(32, t - 8, (b,), device=dev)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        logits = model(ids, types, mask)
        loss = (F.cross_entropy(logits[:, :, 0], gs) + F.cross_entropy(logits[:, :, 1], ge)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if read_loss:
            loss.item()
        torch.cuda.synchronize()
        if s >= args.warmup:
            sec += time.perf_counter() - t0
    return b * t * args.steps / sec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()
    for tf32 in (False, True):
        for read_loss in (True, False):
            tps = run(args, tf32, read_loss)
            print(f"torch-eager cuda layers={args.layers} hidden={args.hidden} batch={args.batch} seq={args.seq} "
                  f"read_loss={read_loss} tf32={tf32}: {tps:.0f} tokens/s", flush=True)


if __name__ == "__main__":
    main()
