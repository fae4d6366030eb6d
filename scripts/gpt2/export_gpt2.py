#!/usr/bin/python3
"""Builds the GPT-2 architecture in plain PyTorch with seeded random weights and exports it to ONNX.

    /usr/bin/python3 scripts/gpt2/export_gpt2.py [--out DIR] [--tokens 32] [--layers 12]
        [--width 768] [--heads 12] [--vocab 50257] [--context 1024] [--seed 0] [--opset 17]
        [--masked -100] [--last-only]

Defaults are GPT-2 small (124 M parameters): 12 pre-LayerNorm blocks of 12 heads, width 768,
vocabulary 50,257, context 1,024, learned position embeddings, GELU in its tanh approximation (as
GPT-2 uses: "gelu_new"), a causal mask, a final LayerNorm and the LM head tied to the token
embedding. Weights follow GPT-2's initialisation under torch.manual_seed(SEED): every Linear and
Embedding normal(0, 0.02), the residual projections (attn.c_proj, mlp.c_proj) normal(0, 0.02 /
sqrt(2 * layers)), biases 0, LayerNorm weight 1 and bias 0. No download: `transformers` is not
needed. Smaller sizes for tests: e.g. --layers 2 --width 64 --heads 4 --vocab 512 --tokens 16.

The export is for one fixed token count T (--tokens, at most --context): the graph's input is
`tokens`, int64 [1, T], its output `logits`, float [1, T, vocab]; with --last-only, the logits of
the last position alone, float [1, 1, vocab] (the next-token statement: the final LayerNorm and
the head see the last position only, a Slice; a public output is the statement a proof carries,
8 bytes a value in the proof, so T x 50,257 logits are 12.9 MB of a 32-token proof, 402 KB here). The causal mask is a constant
buffer (the lower triangle of the context, sliced to T) applied with masked_fill, the way
nanoGPT/GPT-2 code writes it (ONNX: a Where with a constant condition); the masked scores are set
to --masked (default -100), not -inf, which has no fixed-point value: exp(-100) is 4e-44, nothing
next to any unmasked score, and -100 stays within zkinfer's activation range at every scale up to
16 (-1e4, tiny_gpt's value, rules out scales above 8: 1e4 * 2^10 > 2^23).

DIR (default build/gpt2/L<layers>_d<width>_h<heads>_v<vocab>_t<tokens>) gets:
  model.onnx          opset 17, static shapes, checked by onnx.checker (weights inline; the
                      full-size file is ~650 MB with the tied head folded into a second
                      copy of the embedding; under protobuf's 2 GB limit)
  input.json          the token ids in zkinfer's input format {"input_data": [[T ids]]} (the
                      input of `zkinfer prove` and the calibration data of `zkinfer compile`)
  input.tensors.json  the same input in the named layout, with the configuration in "meta"
  torch_output.json   torch's float logits in the named layout ("zkml-tensors-v1"), with the
                      next-token arg-max (last position) and the arg-max per position in "meta"
The token ids are drawn from the seeded generator (uniform over the vocabulary).

Requirements: Debian's python3-torch and python3-onnx (`bash scripts/install-deps.sh
--torchvision`), run with /usr/bin/python3.
"""

import argparse
import json
import math
import os
import sys

try:
    import onnx
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    sys.exit(f"export_gpt2.py: missing module ({e}); run `bash scripts/install-deps.sh --torchvision` "
             f"and use /usr/bin/python3 (this is {sys.executable})")

MASKED = -100.0


class Attention(nn.Module):
    def __init__(self, width, heads, context, masked):
        super().__init__()
        self.heads = heads
        self.masked = masked
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.register_buffer("bias", torch.tril(torch.ones(context, context)).view(1, 1, context, context))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        hd = C // self.heads
        q = q.view(B, T, self.heads, hd).transpose(1, 2)
        k = k.view(B, T, self.heads, hd).transpose(1, 2)
        v = v.view(B, T, self.heads, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, self.masked)
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width)
        self.act = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * width, width)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, width, heads, context, masked):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.attn = Attention(width, heads, context, masked)
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = MLP(width)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    def __init__(self, layers, width, heads, vocab, context, masked=MASKED, last_only=False):
        super().__init__()
        self.last_only = last_only
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.h = nn.ModuleList([Block(width, heads, context, masked) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width, eps=1e-5)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied
        # GPT-2's initialisation.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * layers))

    def forward(self, tokens):
        T = tokens.shape[1]
        pos = torch.arange(0, T, dtype=torch.long).unsqueeze(0)
        x = self.wte(tokens) + self.wpe(pos)
        for b in self.h:
            x = b(x)
        if self.last_only:
            x = x[:, T - 1:, :]
        return self.lm_head(self.ln_f(x))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--context", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--masked", type=float, default=MASKED, help="the masked attention scores' value")
    ap.add_argument("--last-only", action="store_true",
                    help="output the last position's logits only ([1, 1, vocab]: the next-token statement)")
    a = ap.parse_args()
    bad = []
    if a.layers < 1: bad.append("--layers must be at least 1")
    if a.heads < 1 or a.width < 1 or a.width % a.heads: bad.append("--width must be a positive multiple of --heads")
    if a.vocab < 2: bad.append("--vocab must be at least 2")
    if a.context < 1: bad.append("--context must be at least 1")
    if not 1 <= a.tokens <= a.context: bad.append("--tokens must be in [1, --context]")
    if bad:
        sys.exit("export_gpt2.py: " + "; ".join(bad))
    out = a.out or os.path.join("build", "gpt2", f"L{a.layers}_d{a.width}_h{a.heads}_v{a.vocab}_t{a.tokens}")
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(a.seed)
    model = GPT2(a.layers, a.width, a.heads, a.vocab, a.context, a.masked, a.last_only).eval()
    params = sum(p.numel() for p in model.parameters())  # the tied head counted once
    g = torch.Generator().manual_seed(a.seed + 1)
    tokens = torch.randint(0, a.vocab, (1, a.tokens), generator=g, dtype=torch.long)
    with torch.no_grad():
        logits = model(tokens)
    log(f"GPT-2 {a.layers} layers, width {a.width}, {a.heads} heads, vocabulary {a.vocab}, context {a.context}: "
        f"{params:,} parameters; {a.tokens} tokens")

    path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (tokens,), path, input_names=["tokens"], output_names=["logits"],
                          opset_version=a.opset, do_constant_folding=True)
    onnx.checker.check_model(path, full_check=True)
    ops = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node})

    ids = [int(t) for t in tokens[0]]
    with open(os.path.join(out, "input.json"), "w") as f:
        json.dump({"input_data": [ids]}, f)
    config = {"layers": a.layers, "width": a.width, "heads": a.heads, "vocab": a.vocab, "context": a.context,
              "tokens": a.tokens, "seed": a.seed, "opset": a.opset, "masked": a.masked, "last_only": a.last_only, "parameters": params, "op_types": ops,
              "tokenizer": "none: token ids drawn uniformly from the seeded generator"}
    with open(os.path.join(out, "input.tensors.json"), "w") as f:
        json.dump({"format": "zkml-tensors-v1", "model": "model.onnx",
                   "inputs": {"tokens": {"dtype": "int64", "shape": [1, a.tokens], "data": ids}}, "meta": config}, f)
    lg = logits[0]
    argmax = [int(i) for i in lg.argmax(dim=-1)]
    top2 = lg.topk(2, dim=-1).values
    gaps = [float(x) for x in (top2[:, 0] - top2[:, 1])]
    with open(os.path.join(out, "torch_output.json"), "w") as f:
        json.dump({"format": "zkml-tensors-v1", "model": "model.onnx",
                   "outputs": {"logits": {"dtype": "float32", "shape": list(logits.shape),
                                          "data": [float(x) for x in logits.flatten()]}},
                   "meta": {"next_token": argmax[-1], "argmax_per_position": argmax, "top2_gap_per_position": gaps,
                            **config}}, f)
    log(f"wrote {out}/model.onnx ({os.path.getsize(path) / 1e6:.1f} MB; ops {' '.join(ops)}), input.json, "
        f"input.tensors.json, torch_output.json (next token {argmax[-1]}, top-2 gap {gaps[-1]:.4g})")


if __name__ == "__main__":
    main()
