"""Training runs of a setup: one at a time, or many of one shape together with `torch.func`.

Randomness per run: the initial weights come from torch's CPU generator seeded with the run's
seed (set while the model is built, on the CPU, so the start is the same on every device); the
data order of each epoch and the dropout masks of each step come from `audit.lab.noise`, keyed by
the seed. So a run gets the same start, the same minibatches and the same masks whether it is
trained alone (`train_run`) or in a group (`train_together`); what is left between the two are
float rounding differences of batched kernels.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, stack_module_state, vmap

from audit.lab import noise
from audit.lab.setups.base import Data, Setup
from audit.lab.space import Config, Value

# cuBLAS is only deterministic with a fixed workspace, and reads this when CUDA starts, which
# must not depend on whether the first run of a process asked for deterministic algorithms.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

# Threads per training process on a CPU. The lab's models are small: their kernels gain little
# from a second thread, and on a busy machine OpenMP threads that spin waiting for a core made a
# digits-mlp run 30x slower (31 s against 1 s). A machine's cores are better used by running
# experiments side by side, one worker process per core.
CPU_THREADS = int(os.environ.get("SEEDAUDIT_LAB_CPU_THREADS", "1"))

# Hyperparameters that may differ among runs trained together; all others set a group's shape
# (the split seed among them: a group trains on one split).
PER_RUN = frozenset({"seed", "lr", "dropout"})

# On a CPU, a group whose weights and Adam moments outgrow the caches trains slower than its runs
# one by one (seed-sentences, 131k weights a run: 32 together ran 1.2x the sequential speed, 64
# together 0.9x), so CPU groups are cut into chunks of at most this many weights in all. GPUs
# have the memory bandwidth for whole groups.
CPU_CHUNK_WEIGHTS = 2**22

# Adam as `torch.optim.Adam` has it by default.
BETAS = (0.9, 0.999)
EPS = 1e-8


@dataclass(frozen=True)
class RunResult:
    """One finished run. `seconds` is a group's wall time divided among its runs."""

    setup: str
    config: Config
    seed: int
    device: str
    device_name: str
    torch_version: str
    cuda_version: str | None
    cudnn_version: int | None
    deterministic: bool
    trained_together: int
    dev_metric: float
    test_metric: float
    test_predictions: tuple[int, ...]
    test_gold: tuple[int, ...]
    weights_sha256: str
    seconds: float


def pick_device(device: str | None = None) -> torch.device:
    """`device` ("cpu" or "cuda"), or CUDA when there is a GPU and the CPU otherwise."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chosen = torch.device(device)
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("CUDA was asked for, and this torch sees no GPU")
    return chosen


def shape_groups(configs: Sequence[Mapping[str, Value]]) -> list[list[int]]:
    """Indices of `configs` grouped by everything but the per-run hyperparameters."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, config in enumerate(configs):
        groups[tuple(sorted((k, v) for k, v in config.items() if k not in PER_RUN))].append(index)
    return list(groups.values())


def train_run(
    setup: Setup,
    config: Mapping[str, Value],
    *,
    device: str | None = None,
    deterministic: bool = False,
) -> RunResult:
    """Train one run the ordinary way: an `nn.Module`, `torch.optim.Adam`, `loss.backward()`.

    Configurations are not checked against the setup's space here (a benchmark or a test may
    train for fewer epochs than the space offers); user input goes through `setup.check_config`.
    """
    config = dict(config)
    where = pick_device(device)
    with _algorithms(deterministic), _threads(where):
        started = time.perf_counter()
        data = setup.data_for(config).to(where)
        model = _build(setup, config).to(where)
        optimizer = torch.optim.Adam(
            model.parameters(), lr=float(config["lr"]), betas=BETAS, eps=EPS
        )
        seeds = torch.tensor([int(config["seed"])], device=where)
        dropout = torch.tensor(float(config.get("dropout", 0.0)), device=where)
        batch_size, epochs = int(config["batch_size"]), int(config["epochs"])
        step_keys = _step_keys(seeds, len(data.train), batch_size, epochs)
        step = 0
        for epoch in range(epochs):
            order = _epoch_order(seeds, epoch, len(data.train))[0]
            for batch in order.split(batch_size):
                logits = model(data.train.inputs[batch], step_keys[step, 0], dropout)
                loss = _loss(logits, data.train.labels[batch], data.n_classes)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                step += 1
        no_key, no_dropout = torch.zeros_like(seeds[0]), torch.zeros_like(dropout)
        with torch.no_grad():
            dev, test = (
                model(split.inputs, no_key, no_dropout).argmax(-1)
                for split in (data.dev, data.test)
            )
        digest = _sha256(dict(model.named_parameters()))
        _synchronize(where)
        seconds = time.perf_counter() - started
    return _result(setup, config, where, deterministic, 1, dev, test, data, digest, seconds)


def train_together(
    setup: Setup,
    configs: Sequence[Mapping[str, Value]],
    *,
    device: str | None = None,
    deterministic: bool = False,
) -> list[RunResult]:
    """Train `configs`, each group of one shape in one vmapped loop; results in `configs` order."""
    plain = [dict(config) for config in configs]
    where = pick_device(device)
    results: list[RunResult | None] = [None] * len(plain)
    for group in shape_groups(plain):
        size = _chunk_size(setup, plain[group[0]], where)
        for chunk in (group[start : start + size] for start in range(0, len(group), size)):
            # A chunk of one has nothing to share, and vmap only adds overhead to it.
            trained = (
                [train_run(setup, plain[chunk[0]], device=device, deterministic=deterministic)]
                if len(chunk) == 1
                else _train_group(setup, [plain[i] for i in chunk], where, deterministic)
            )
            for index, result in zip(chunk, trained, strict=True):
                results[index] = result
    return results


def per_example_correctness(result: RunResult) -> np.ndarray:
    """Per test example, whether the run predicted its class: what bootstrap samples resample."""
    return np.asarray(result.test_predictions) == np.asarray(result.test_gold)


def _train_group(
    setup: Setup, configs: list[Config], where: torch.device, deterministic: bool
) -> list[RunResult]:
    with _algorithms(deterministic), _threads(where):
        started = time.perf_counter()
        data = setup.data_for(configs[0]).to(where)
        models = [_build(setup, config) for config in configs]
        stacked, _ = stack_module_state(models)
        params = {name: tensor.detach().to(where) for name, tensor in stacked.items()}
        buffers = {name: tensor.to(where) for name, tensor in models[0].named_buffers()}
        skeleton = copy.deepcopy(models[0]).to("meta")
        runs = len(configs)
        seeds = torch.tensor([int(c["seed"]) for c in configs], device=where)
        lrs = torch.tensor([float(c["lr"]) for c in configs], dtype=torch.float64, device=where)
        dropouts = torch.tensor([float(c.get("dropout", 0.0)) for c in configs], device=where)
        batch_size, epochs = int(configs[0]["batch_size"]), int(configs[0]["epochs"])
        step_keys = _step_keys(seeds, len(data.train), batch_size, epochs)

        def loss_of(
            p: dict[str, Tensor], inputs: Tensor, labels: Tensor, key: Tensor, rate: Tensor
        ):
            logits = functional_call(skeleton, (p, buffers), (inputs, key, rate))
            return _loss(logits, labels, data.n_classes)

        gradients = vmap(grad(loss_of))
        moments = {name: (torch.zeros_like(p), torch.zeros_like(p)) for name, p in params.items()}
        step = 0
        for epoch in range(epochs):
            orders = _epoch_order(seeds, epoch, len(data.train))
            for batch in orders.split(batch_size, dim=1):
                inputs, labels = data.train.inputs[batch], data.train.labels[batch]
                grads = gradients(params, inputs, labels, step_keys[step], dropouts)
                step += 1
                _adam_step(params, grads, moments, lrs, step)

        no_key, no_dropout = torch.zeros_like(seeds[0]), torch.zeros_like(dropouts[0])

        def predict(p: dict[str, Tensor], inputs: Tensor) -> Tensor:
            logits = functional_call(skeleton, (p, buffers), (inputs, no_key, no_dropout))
            return logits.argmax(-1)

        with torch.no_grad():
            dev, test = (
                vmap(predict, in_dims=(0, None))(params, split.inputs)
                for split in (data.dev, data.test)
            )
        # One copy to the host per weight tensor, not one per run and tensor.
        on_host = {name: p.cpu() for name, p in params.items()}
        digests = [_sha256({name: p[i] for name, p in on_host.items()}) for i in range(runs)]
        _synchronize(where)
        seconds = (time.perf_counter() - started) / runs
    return [
        _result(
            setup, config, where, deterministic, runs, dev[i], test[i], data, digests[i], seconds
        )
        for i, config in enumerate(configs)
    ]


def _chunk_size(setup: Setup, config: Config, where: torch.device) -> int:
    if where.type != "cpu":
        return sys.maxsize
    weights = sum(p.numel() for p in _build(setup, config).parameters())
    return max(1, CPU_CHUNK_WEIGHTS // weights)


def _adam_step(
    params: dict[str, Tensor],
    grads: dict[str, Tensor],
    moments: dict[str, tuple[Tensor, Tensor]],
    lrs: Tensor,
    step: int,
) -> None:
    # The arithmetic of torch.optim.Adam's single-tensor path, with one learning rate per run;
    # step sizes are worked out in float64 as Adam does with its Python-float learning rate.
    beta1, beta2 = BETAS
    correction1, correction2 = 1 - beta1**step, 1 - beta2**step
    step_sizes = (lrs / correction1).float()
    with torch.no_grad():
        for name, p in params.items():
            g = grads[name]
            first, second = moments[name]
            first.lerp_(g, 1 - beta1)
            second.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denominator = second.sqrt().div_(math.sqrt(correction2)).add_(EPS)
            size = step_sizes.view(-1, *[1] * (p.dim() - 1))
            p.addcdiv_(size * first, denominator, value=-1)


def _build(setup: Setup, config: Config) -> nn.Module:
    # Only the CPU generator is seeded (and restored after), and the model is made on the CPU:
    # the initial weights of a seed are then the same on every device.
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(int(config["seed"]))
        return setup.build_model(config)


def _step_keys(seeds: Tensor, n_train: int, batch_size: int, epochs: int) -> Tensor:
    steps = epochs * math.ceil(n_train / batch_size)
    counters = torch.arange(steps, device=seeds.device)
    return noise.stream_keys(seeds, noise.DROPOUT_STREAM, counters)


def _epoch_order(seeds: Tensor, epoch: int, n_train: int) -> Tensor:
    counter = torch.tensor([epoch], device=seeds.device)
    return noise.permutations(noise.stream_keys(seeds, noise.ORDER_STREAM, counter)[0], n_train)


def _loss(logits: Tensor, labels: Tensor, n_classes: int) -> Tensor:
    # Cross-entropy through a one-hot product rather than a gather: gather's CUDA backward is
    # nondeterministic, and this loss must not add noise of its own to what the lab measures.
    one_hot = (labels[..., None] == torch.arange(n_classes, device=labels.device)).to(logits.dtype)
    return -(torch.log_softmax(logits, dim=-1) * one_hot).sum(-1).mean()


def _sha256(params: Mapping[str, Tensor]) -> str:
    digest = hashlib.sha256()
    for name in sorted(params):
        digest.update(name.encode())
        digest.update(params[name].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


@contextmanager
def _algorithms(deterministic: bool) -> Iterator[None]:
    # A process-wide switch: a process trains one run or group at a time (Celery's prefork or
    # solo pool), never two in threads.
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(deterministic)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous)


@contextmanager
def _threads(where: torch.device) -> Iterator[None]:
    if where.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(CPU_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _synchronize(where: torch.device) -> None:
    if where.type == "cuda":
        torch.cuda.synchronize(where)


def _result(
    setup: Setup,
    config: Config,
    where: torch.device,
    deterministic: bool,
    trained_together: int,
    dev: Tensor,
    test: Tensor,
    data: Data,
    digest: str,
    seconds: float,
) -> RunResult:
    dev_predictions, test_predictions = dev.cpu().numpy(), test.cpu().numpy()
    test_gold = data.test.labels.cpu().numpy()
    return RunResult(
        setup=setup.name,
        config=config,
        seed=int(config["seed"]),
        device=where.type,
        device_name=_device_name(where),
        torch_version=torch.__version__,
        cuda_version=torch.version.cuda,
        cudnn_version=torch.backends.cudnn.version()
        if torch.backends.cudnn.is_available()
        else None,
        deterministic=deterministic,
        trained_together=trained_together,
        dev_metric=float(setup.metric(dev_predictions, data.dev.labels.cpu().numpy())),
        test_metric=float(setup.metric(test_predictions, test_gold)),
        test_predictions=tuple(test_predictions.tolist()),
        test_gold=tuple(test_gold.tolist()),
        weights_sha256=digest,
        seconds=seconds,
    )


def _device_name(where: torch.device) -> str:
    if where.type == "cuda":
        return torch.cuda.get_device_name(where)
    return platform.processor() or platform.machine()
