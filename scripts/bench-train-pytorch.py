#!/usr/bin/python3
"""The workload of `lockerctl bench train --device cpu` in PyTorch's Python API (Debian's
python3-torch and python3-torchvision), printed the same way, so that the two can be compared on
one machine. Random data; one warm-up step, then the timed steps; images per second.

    scripts/bench-train-pytorch.py [--batch-size 32] [--batches 5] [--human-size 224] [--owner-size 256]

Uses as many threads as the machine has cores, as lockerctl does (runtime.threads: 0).
"""

import argparse
import os
import sys
import time

try:
    import torch
    import torchvision
except ImportError as e:
    sys.exit("bench-train-pytorch: %s; install Debian's python3-torch and python3-torchvision "
             "(apt-get install python3-torch python3-torchvision) and run it with /usr/bin/python3" % e)


def rate(batch_size, batches, step):
    step()
    start = time.perf_counter()
    for _ in range(batches):
        step()
    return batch_size * batches / (time.perf_counter() - start)


class OwnerCnn(torch.nn.Module):
    """The paper's layer-2 CNN as lockerctl builds it: valid 3x3 convolutions 16, 32, 16, each with
    ReLU and 2x2 max pooling; dense 256 ReLU; dense 1 (the logit)."""

    def __init__(self, side):
        super().__init__()
        self.convs = torch.nn.ModuleList([torch.nn.Conv2d(3, 16, 3), torch.nn.Conv2d(16, 32, 3),
                                          torch.nn.Conv2d(32, 16, 3)])
        for _ in range(3):
            side = (side - 2) // 2
        self.dense1 = torch.nn.Linear(16 * side * side, 256)
        self.dense2 = torch.nn.Linear(256, 1)

    def forward(self, x):
        for conv in self.convs:
            x = torch.nn.functional.max_pool2d(torch.relu(conv(x)), 2)
        return self.dense2(torch.relu(self.dense1(x.flatten(1))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--human-size", type=int, default=224)
    parser.add_argument("--owner-size", type=int, default=256)
    o = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(1)
    print("PyTorch %s, %d CPU threads, batch %d, MobileNetV2 1.0 at %dx%d, owner CNN at %dx%d"
          % (torch.__version__, torch.get_num_threads(), o.batch_size, o.human_size, o.human_size,
             o.owner_size, o.owner_size))
    rows = []
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    x = torch.randn(o.batch_size, 3, o.human_size, o.human_size)
    y = torch.randint(0, 2, (o.batch_size,)).float()

    mobilenet = torchvision.models.mobilenet_v2()
    backbone = torch.nn.Sequential(mobilenet.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    head = torch.nn.Linear(1280, 1)
    backbone.eval()
    for p in backbone.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        rows.append(("backbone forward, batch %d" % o.batch_size, rate(o.batch_size, o.batches, lambda: backbone(x))))
        one = x[:1].contiguous()
        rows.append(("backbone forward, batch 1", rate(1, o.batch_size * o.batches, lambda: backbone(one))))

    head_opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    features = torch.randn(o.batch_size, 1280)

    def head_step(inputs):
        head_opt.zero_grad()
        bce(head(inputs).squeeze(1), y).backward()
        head_opt.step()

    rows.append(("frozen backbone, head on cached features", rate(o.batch_size, max(o.batches, 50), lambda: head_step(features))))
    rows.append(("frozen backbone, no feature cache", rate(o.batch_size, o.batches, lambda: head_step(backbone(x)))))

    net = torch.nn.Sequential(backbone, head)
    net.train()
    for p in net.parameters():
        p.requires_grad_(True)
    full_opt = torch.optim.Adam(net.parameters(), lr=1e-5)

    def full_step():
        full_opt.zero_grad()
        bce(net(x).squeeze(1), y).backward()
        full_opt.step()

    rows.append(("full fine-tuning (all layers)", rate(o.batch_size, o.batches, full_step)))

    owner = OwnerCnn(o.owner_size)
    owner.train()
    owner_opt = torch.optim.Adam(owner.parameters(), lr=1e-3)
    xo = torch.rand(o.batch_size, 3, o.owner_size, o.owner_size)

    def owner_step():
        owner_opt.zero_grad()
        bce(owner(xo).squeeze(1), y).backward()
        owner_opt.step()

    rows.append(("owner CNN training", rate(o.batch_size, o.batches, owner_step)))
    for name, value in rows:
        print("%-5s %-58s %9.1f images/s" % ("cpu", name, value))


if __name__ == "__main__":
    main()
