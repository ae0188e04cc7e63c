#!/usr/bin/env python3
"""Tandem benchmark W2 -- PyTorch peer: two-layer peephole ConvLSTM forecaster training.

Workload (WORKLOADS.md W2): batches of B (1 or 8) random float32 windows of
8 frames x 4 channels x 32 x 32 in U(0, 1), the next frame (4 x 32 x 32, U(0, 1))
as target; MSE loss; plain SGD (lr 0.01, no momentum).

Model -- the same as Tandem's ConvLstm layer (ALGORITHMS.md 2.1, 58,180 trainable
parameters, asserted below):
    encoder: ConvLSTM(4 -> 16, 3x3), ConvLSTM(16 -> 16, 3x3), states start at 0,
             8 steps over the input frames
    forecaster: ConvLSTM(no input, 16, 3x3), ConvLSTM(16 -> 16, 3x3), each starting
             from the final (H, C) of the encoder layer of the same index, 1 step
    output: 1x1 Conv2d over the concatenated H of both forecaster layers
             (32 -> 4 channels, with bias)
Cell (peepholes, one weight per hidden channel broadcast over space):
    [zi, zf, zg, zo] = Conv2d(cat[X, H_prev]) (one convolution, bias)
    i = sig(zi + w_ci * C_prev)   f = sig(zf + w_cf * C_prev)   g = tanh(zg)
    C = f * C_prev + i * g        o = sig(zo + w_co * C)        H = o * tanh(C)
Init as Tandem: conv weights U(+-1/sqrt(fan_in)) (PyTorch's default), biases 0
except the forget gate's = 1, peepholes 0, output bias 0.

Each training step (zero_grad + forward + loss + backward + optimizer.step) is
timed individually with time.perf_counter() after the warmup steps; the
median is reported.  Progress goes to stderr; the LAST line of stdout is a
single JSON object.  If torch cannot be imported the script prints
{"error": "torch not available"} and exits with status 3.
"""
import argparse
import json
import statistics
import sys
import time

from peer_env import peer_environment

EXPECTED_PARAMS = 58180
FRAMES = 8
CHANNELS = 4
GRID = 32
HIDDEN = (16, 16)
KERNEL = 3


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def forward_macs_per_sample():
    """Multiply-accumulates of the convolutions for one window (gates are element-wise):
        encoder layer 0: 8 steps * 1024 cells * 64 * (4 + 16) * 9  = 94,371,840
        encoder layer 1: 8 steps * 1024 * 64 * (16 + 16) * 9       = 150,994,944
        forecaster layer 0: 1 step * 1024 * 64 * 16 * 9            =   9,437,184
        forecaster layer 1: 1 step * 1024 * 64 * 32 * 9            =  18,874,368
        output 1x1: 1024 * 4 * 32                                  =     131,072
        total                                                      = 273,809,408
    """
    cells = GRID * GRID
    g = 4 * HIDDEN[0]
    return (FRAMES * cells * g * (CHANNELS + HIDDEN[0]) * KERNEL * KERNEL
            + FRAMES * cells * 4 * HIDDEN[1] * (HIDDEN[0] + HIDDEN[1]) * KERNEL * KERNEL
            + cells * g * HIDDEN[0] * KERNEL * KERNEL
            + cells * 4 * HIDDEN[1] * (HIDDEN[0] + HIDDEN[1]) * KERNEL * KERNEL
            + cells * CHANNELS * sum(HIDDEN))


def analytic_gflop_per_step(batch):
    """forward FLOPs (2 per MAC) * batch * 3 (forward + two backward passes)."""
    return 3.0 * 2.0 * forward_macs_per_sample() * batch / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where the model trains (cuda: steps are timed to torch.cuda.synchronize())")
    args = ap.parse_args()
    if args.batch < 1 or args.steps < 1 or args.warmup < 0 or args.threads < 1:
        ap.error("batch, steps and threads must be >= 1, warmup >= 0")

    try:
        import torch
        import torch.nn as nn
    except Exception as e:  # ImportError, or a broken install
        log("torch import failed: %r" % (e,))
        print(json.dumps({"error": "torch not available"}), flush=True)
        sys.exit(3)

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError as e:
        log("warning: could not set interop threads: %s" % e)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    if args.device == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"error": "torch has no CUDA device"}), flush=True)
        sys.exit(3)

    def sync():  # kernels run asynchronously: a step ends when the device is done
        if args.device == "cuda":
            torch.cuda.synchronize()

    class Cell(nn.Module):
        def __init__(self, cin, ch, k):
            super().__init__()
            self.ch = ch
            self.conv = nn.Conv2d(cin + ch, 4 * ch, k, padding=k // 2)
            with torch.no_grad():
                self.conv.bias.zero_()
                self.conv.bias[ch:2 * ch] = 1.0  # forget gate
            self.peep = nn.Parameter(torch.zeros(3, ch))

        def forward(self, x, h, c):
            xh = h if x is None else torch.cat([x, h], 1)
            zi, zf, zg, zo = self.conv(xh).chunk(4, 1)
            p = self.peep.view(3, 1, self.ch, 1, 1)
            i = torch.sigmoid(zi + p[0] * c)
            f = torch.sigmoid(zf + p[1] * c)
            c = f * c + i * torch.tanh(zg)
            o = torch.sigmoid(zo + p[2] * c)
            return o * torch.tanh(c), c

    class Forecaster(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.ModuleList([Cell(CHANNELS, HIDDEN[0], KERNEL), Cell(HIDDEN[0], HIDDEN[1], KERNEL)])
            self.fc = nn.ModuleList([Cell(0, HIDDEN[0], KERNEL), Cell(HIDDEN[0], HIDDEN[1], KERNEL)])
            self.out = nn.Conv2d(sum(HIDDEN), CHANNELS, 1)
            with torch.no_grad():
                self.out.bias.zero_()

        def forward(self, x):  # x [B, T, C, H, W] -> [B, 1, C, H, W]
            b = x.shape[0]
            h = [x.new_zeros(b, ch, GRID, GRID) for ch in HIDDEN]
            c = [x.new_zeros(b, ch, GRID, GRID) for ch in HIDDEN]
            for t in range(x.shape[1]):
                below = x[:, t]
                for l, cell in enumerate(self.enc):
                    h[l], c[l] = cell(below, h[l], c[l])
                    below = h[l]
            below = None
            for l, cell in enumerate(self.fc):
                h[l], c[l] = cell(below, h[l], c[l])
                below = h[l]
            return self.out(torch.cat(h, 1)).unsqueeze(1)

    model = Forecaster()
    model.train()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert params == EXPECTED_PARAMS, "param count %d != %d" % (params, EXPECTED_PARAMS)
    model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()

    total = args.warmup + args.steps
    xs = [torch.rand(args.batch, FRAMES, CHANNELS, GRID, GRID).to(dev) for _ in range(total)]
    ys = [torch.rand(args.batch, 1, CHANNELS, GRID, GRID).to(dev) for _ in range(total)]
    log("W2 pytorch %s: batch=%d warmup=%d steps=%d threads=%d params=%d"
        % (torch.__version__, args.batch, args.warmup, args.steps, torch.get_num_threads(), params))

    times_ms = []
    loss_val = float("nan")
    for i in range(total):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        opt.step()
        sync()
        t1 = time.perf_counter()
        loss_val = loss.item()
        ms = (t1 - t0) * 1e3
        if i < args.warmup:
            log("warmup %d/%d: %.3f ms loss=%.4f" % (i + 1, args.warmup, ms, loss_val))
        else:
            times_ms.append(ms)
            log("step %d/%d: %.3f ms loss=%.4f" % (i - args.warmup + 1, args.steps, ms, loss_val))

    median_ms = statistics.median(times_ms)
    gflop = analytic_gflop_per_step(args.batch)
    print(json.dumps({
        "workload": "W2",
        "framework": "pytorch",
        "device": args.device,
        "torch_version": torch.__version__,
        "peer_environment": peer_environment(torch),
        "threads": args.threads,
        "batch": args.batch,
        "steps": args.steps,
        "median_step_ms": round(median_ms, 4),
        "samples_per_s": round(args.batch / (median_ms / 1e3), 2),
        "params": params,
        "gflop_per_step": round(gflop, 4),
        "gflops": round(gflop / (median_ms / 1e3), 2),
        "warmup": args.warmup,
        "min_step_ms": round(min(times_ms), 4),
        "mean_step_ms": round(statistics.fmean(times_ms), 4),
        "final_loss": round(loss_val, 6),
    }), flush=True)


if __name__ == "__main__":
    main()
