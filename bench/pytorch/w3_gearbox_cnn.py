#!/usr/bin/env python3
"""Tandem benchmark W3 -- PyTorch peer: WDCNN-like 1-D CNN for gearbox faults.

Workload: batches of B (default 32) random float32 windows of 4 channels x 2048
samples with random labels 0..9; Adam (lr 1e-3); softmax cross-entropy loss;
model in train mode (BatchNorm uses batch statistics).

Architecture (57,382 trainable parameters, asserted below) -- the default gearbox
base network of ALGORITHMS.md, identical to Tandem's GearboxCnn:
    Conv1d(4->16, k=64, stride 16, pad 24)  -> BN1d -> ReLU -> MaxPool1d(2)  2048 -> 128 -> 64
    Conv1d(16->32, k=3, pad 1)              -> BN1d -> ReLU -> MaxPool1d(2)    64 -> 32
    Conv1d(32->64, k=3, pad 1)              -> BN1d -> ReLU -> MaxPool1d(2)    32 -> 16
    Conv1d(64->64, k=3, pad 1)              -> BN1d -> ReLU -> MaxPool1d(2)    16 -> 8
    Conv1d(64->64, k=3, pad 0)              -> BN1d -> ReLU -> MaxPool1d(2)     8 -> 6 -> 3
    flatten (64*3 = 192) -> Linear(192->100) -> ReLU -> Linear(100->10)
As in WDCNN (Zhang et al. 2017) the last convolution is unpadded; that is what
gives ALGORITHMS.md's "about 57k parameters" (an earlier version of this script
padded it too: 63,782 parameters, a 256-wide flatten).

Each training step (zero_grad + forward + loss + backward + optimizer.step) is
timed individually with time.perf_counter() after the warmup steps.  After
training, single-window (batch 1) inference latency is measured in eval mode
under torch.inference_mode(): median over --infer-runs runs (default 200),
after a few untimed warmup calls, reported as "infer_ms".

Progress goes to stderr; the LAST line of stdout is a single JSON object.  If
torch cannot be imported the script prints {"error": "torch not available"}
and exits with status 3.
"""
import argparse
import json
import statistics
import sys
import time

from peer_env import peer_environment

EXPECTED_PARAMS = 57382
CHANNELS = 4
LENGTH = 2048
CLASSES = 10


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def forward_macs_per_sample():
    """Multiply-accumulates of the conv / linear layers for one window.

        conv1: 128 out positions * 16 out * (4*64)  =   524,288
        conv2:  64 * 32 * (16*3)                   =    98,304
        conv3:  32 * 64 * (32*3)                   =   196,608
        conv4:  16 * 64 * (64*3)                   =   196,608
        conv5:   6 * 64 * (64*3)                   =    73,728
        fc1:   192 * 100                           =    19,200
        fc2:   100 * 10                            =     1,000
        total                                      = 1,109,736 MACs / sample
    BatchNorm, ReLU, max-pool and softmax are elementwise and ignored (< 2%).
    """
    return (128 * 16 * (4 * 64)
            + 64 * 32 * (16 * 3)
            + 32 * 64 * (32 * 3)
            + 16 * 64 * (64 * 3)
            + 6 * 64 * (64 * 3)
            + 192 * 100
            + 100 * 10)


def analytic_gflop_per_step(batch):
    """Training GFLOP per step: forward FLOPs (2 per MAC) * batch, times 3 for
    forward + backward-data + backward-weights (~0.213 GFLOP at batch 32)."""
    return 3.0 * 2.0 * forward_macs_per_sample() * batch / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where the model trains (cuda: steps are timed to torch.cuda.synchronize())")
    ap.add_argument("--infer-runs", type=int, default=200,
                    help="timed batch-1 eval-mode inference runs (0 = skip)")
    args = ap.parse_args()
    if args.batch < 1 or args.steps < 1 or args.warmup < 0 or args.threads < 1 \
            or args.infer_runs < 0:
        ap.error("batch, steps and threads must be >= 1, warmup/infer-runs >= 0")

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
    except RuntimeError as e:  # only settable once, before parallel work
        log("warning: could not set interop threads: %s" % e)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    if args.device == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"error": "torch has no CUDA device"}), flush=True)
        sys.exit(3)

    def sync():  # kernels run asynchronously: a step ends when the device is done
        if args.device == "cuda":
            torch.cuda.synchronize()

    def block(cin, cout, k, stride, pad):
        return [nn.Conv1d(cin, cout, kernel_size=k, stride=stride, padding=pad),
                nn.BatchNorm1d(cout), nn.ReLU(), nn.MaxPool1d(2)]

    model = nn.Sequential(
        *block(CHANNELS, 16, 64, 16, 24),   # 2048 -> 128 -> 64
        *block(16, 32, 3, 1, 1),            # 64 -> 32
        *block(32, 64, 3, 1, 1),            # 32 -> 16
        *block(64, 64, 3, 1, 1),            # 16 -> 8
        *block(64, 64, 3, 1, 0),            # 8 -> 6 -> 3 (unpadded, as in WDCNN)
        nn.Flatten(),                       # 192
        nn.Linear(64 * 3, 100),
        nn.ReLU(),
        nn.Linear(100, CLASSES),
    )
    model.train()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert params == EXPECTED_PARAMS, "param count %d != %d" % (params, EXPECTED_PARAMS)
    with torch.no_grad():
        probe = model.eval()(torch.zeros(1, CHANNELS, LENGTH))
        assert tuple(probe.shape) == (1, CLASSES), probe.shape
    model.train()

    model.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    # Pre-generate one distinct random batch per step, outside the timed region.
    total = args.warmup + args.steps
    xs = [torch.randn(args.batch, CHANNELS, LENGTH, dtype=torch.float32).to(dev) for _ in range(total)]
    ys = [torch.randint(0, CLASSES, (args.batch,), dtype=torch.long).to(dev) for _ in range(total)]

    log("W3 pytorch %s: batch=%d warmup=%d steps=%d threads=%d params=%d"
        % (torch.__version__, args.batch, args.warmup, args.steps,
           torch.get_num_threads(), params))

    times_ms = []
    loss_val = float("nan")
    for i in range(total):
        x, y = xs[i], ys[i]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        opt.step()
        sync()
        t1 = time.perf_counter()
        loss_val = loss.item()  # readback outside the timed region
        ms = (t1 - t0) * 1e3
        if i < args.warmup:
            log("warmup %d/%d: %.3f ms loss=%.4f" % (i + 1, args.warmup, ms, loss_val))
        else:
            times_ms.append(ms)
            log("step %d/%d: %.3f ms loss=%.4f" % (i - args.warmup + 1, args.steps, ms, loss_val))

    median_ms = statistics.median(times_ms)

    # Single-window inference latency, eval mode (BN running stats, no grad).
    infer_ms = None
    if args.infer_runs > 0:
        model.eval()
        win = torch.randn(1, CHANNELS, LENGTH, dtype=torch.float32).to(dev)
        itimes = []
        with torch.inference_mode():
            for _ in range(10):  # untimed warmup
                model(win)
            for _ in range(args.infer_runs):
                t0 = time.perf_counter()
                model(win)
                sync()
                itimes.append((time.perf_counter() - t0) * 1e3)
        infer_ms = statistics.median(itimes)
        log("inference batch 1: median %.4f ms over %d runs (min %.4f)"
            % (infer_ms, args.infer_runs, min(itimes)))

    result = {
        "workload": "W3",
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
        "gflop_per_step": round(analytic_gflop_per_step(args.batch), 4),
        "infer_ms": None if infer_ms is None else round(infer_ms, 4),
        "infer_runs": args.infer_runs,
        "warmup": args.warmup,
        "min_step_ms": round(min(times_ms), 4),
        "mean_step_ms": round(statistics.fmean(times_ms), 4),
        "final_loss": round(loss_val, 6),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
