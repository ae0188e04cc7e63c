#!/usr/bin/env python3
"""Tandem benchmark W1 -- PyTorch peer: training step of the "toolkit CNN".

Workload: batches of B (default 64) random float32 inputs of shape 1x28x28 with
random labels 0..9; SGD (momentum 0.9, lr 0.01); softmax cross-entropy loss;
model in train mode (BatchNorm uses batch statistics, dropout active).

Architecture (1,663,436 trainable parameters, asserted below):
    BN2d(1) -> Conv2d(1->32, 5x5, pad 2) -> ReLU -> MaxPool2d(2)
    -> BN2d(32) -> Conv2d(32->64, 5x5, pad 2) -> ReLU -> MaxPool2d(2)
    -> flatten (64*7*7 = 3136) -> Dropout(0.5) -> Linear(3136->512) -> ReLU
    -> Dropout(0.5) -> Linear(512->10)

Each training step (zero_grad + forward + loss + backward + optimizer.step) is
timed individually with time.perf_counter() after the warmup steps.  Progress
goes to stderr; the LAST line of stdout is a single JSON object, which the Java
`./tandem bench w1` command parses.  If torch cannot be imported the script
prints {"error": "torch not available"} and exits with status 3.
"""
import argparse
import json
import statistics
import sys
import time

from peer_env import peer_environment

EXPECTED_PARAMS = 1663436


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def analytic_gflop_per_step(batch):
    """Analytic training FLOPs per step, in GFLOP.

    Forward FLOPs count one multiply-add as 2 FLOPs and include only the
    conv / linear layers (BatchNorm, ReLU, max-pool, dropout, softmax are
    elementwise and contribute < 1%):
        conv1: 28*28 positions * 32 out * (1*5*5)  MACs =    627,200
        conv2: 14*14 positions * 64 out * (32*5*5) MACs = 10,035,200
        fc1:   3136 * 512                          MACs =  1,605,632
        fc2:   512 * 10                            MACs =      5,120
        total                                      MACs = 12,273,152 / sample
    -> 24.546 MFLOP forward per sample.  Training (forward + backward w.r.t.
    activations + backward w.r.t. weights) is estimated as 3x forward, so
    per step = 3 * 2 * 12,273,152 * batch  (~4.713 GFLOP at batch 64).
    """
    macs = (28 * 28 * 32 * (1 * 5 * 5)
            + 14 * 14 * 64 * (32 * 5 * 5)
            + 3136 * 512
            + 512 * 10)
    return 3.0 * 2.0 * macs * batch / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
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

    model = nn.Sequential(
        nn.BatchNorm2d(1),
        nn.Conv2d(1, 32, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.BatchNorm2d(32),
        nn.Conv2d(32, 64, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(64 * 7 * 7, 512),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(512, 10),
    )
    model.train()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert params == EXPECTED_PARAMS, "param count %d != %d" % (params, EXPECTED_PARAMS)

    model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    # Pre-generate one distinct random batch per step, outside the timed region.
    total = args.warmup + args.steps
    xs = [torch.randn(args.batch, 1, 28, 28, dtype=torch.float32).to(dev) for _ in range(total)]
    ys = [torch.randint(0, 10, (args.batch,), dtype=torch.long).to(dev) for _ in range(total)]

    log("W1 pytorch %s: batch=%d warmup=%d steps=%d threads=%d params=%d"
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
        loss_val = loss.item()  # sync/readback outside the timed region
        ms = (t1 - t0) * 1e3
        if i < args.warmup:
            log("warmup %d/%d: %.2f ms loss=%.4f" % (i + 1, args.warmup, ms, loss_val))
        else:
            times_ms.append(ms)
            log("step %d/%d: %.2f ms loss=%.4f" % (i - args.warmup + 1, args.steps, ms, loss_val))

    median_ms = statistics.median(times_ms)
    result = {
        "workload": "W1",
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
        "warmup": args.warmup,
        "min_step_ms": round(min(times_ms), 4),
        "mean_step_ms": round(statistics.fmean(times_ms), 4),
        "final_loss": round(loss_val, 6),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
