"""The lab's training engine: runs trained together match runs trained alone, seeds replay."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.func import vmap

from audit.lab import noise
from audit.lab.setups import get_setup
from audit.lab.training import per_example_correctness, train_run, train_together


def on_gpu(test):
    needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
    return pytest.mark.gpu(needs_cuda(test))


def short(config: dict, **changes) -> dict:
    # Two or three epochs: enough for a wrong mask or data order to show in the predictions.
    return {**config, "epochs": 2, **changes}


def differing(a, b) -> int:
    """How many test predictions two runs disagree on."""
    return int(np.sum(np.asarray(a.test_predictions) != np.asarray(b.test_predictions)))


def assert_same_run(single, grouped):
    # Batched kernels round differently from single ones, which may tip one near-tie example;
    # a wrong dropout mask or data order moves at least 4 of the 360 digits (measured).
    assert grouped.config == single.config
    assert differing(single, grouped) <= 1
    assert grouped.test_metric == pytest.approx(
        single.test_metric, abs=1.01 / len(single.test_gold)
    )


@pytest.mark.parametrize("setup_name", ["digits-mlp", "digits-knn-graph"])
def test_it_trains_runs_together_as_it_trains_them_alone(setup_name):
    setup = get_setup(setup_name)
    configs = [
        short(setup.default, seed=11, lr=0.003, dropout=0.3),
        short(setup.default, seed=12, lr=0.005, dropout=0.1),
        short(setup.default, seed=13, lr=0.004, dropout=0.2),
    ]

    alone = [train_run(setup, config, device="cpu") for config in configs]
    together = train_together(setup, configs, device="cpu")

    for single, grouped in zip(alone, together, strict=True):
        assert grouped.trained_together == 3 and single.trained_together == 1
        assert_same_run(single, grouped)
    # The runs differ from each other, so the agreement above is not that of identical runs.
    assert differing(together[0], together[1]) > 1


def test_it_groups_configurations_by_shape_and_keeps_their_order():
    setup = get_setup("digits-mlp")
    configs = [
        short(setup.default, seed=1, width=32),
        short(setup.default, seed=2, width=64),
        short(setup.default, seed=3, width=32, lr=0.01),
    ]

    results = train_together(setup, configs, device="cpu")

    assert [r.seed for r in results] == [1, 2, 3]
    assert [r.config["width"] for r in results] == [32, 64, 32]
    assert [r.trained_together for r in results] == [2, 1, 2]
    assert_same_run(train_run(setup, configs[1], device="cpu"), results[1])


def test_on_a_cpu_it_trains_wide_models_in_chunks_that_fit_the_caches():
    setup = get_setup("seed-sentences")  # 131,168 weights a run: 31 runs in 2**22 weights
    configs = setup.sample_configs(40, seed=0, vary=["seed", "lr"])

    results = train_together(setup, [{**c, "epochs": 1} for c in configs], device="cpu")

    assert [r.trained_together for r in results] == [31] * 31 + [9] * 9
    assert [r.seed for r in results] == [c["seed"] for c in configs]


def test_a_fixed_seed_with_deterministic_algorithms_is_bit_identical_on_cpu():
    setup = get_setup("digits-knn-graph")
    config = short(setup.default, seed=7)

    first = train_run(setup, config, device="cpu", deterministic=True)
    second = train_run(setup, config, device="cpu", deterministic=True)
    other_seed = train_run(setup, {**config, "seed": 8}, device="cpu", deterministic=True)

    assert first.deterministic and second.deterministic
    assert first.weights_sha256 == second.weights_sha256
    assert first.test_predictions == second.test_predictions
    assert other_seed.weights_sha256 != first.weights_sha256
    assert not torch.are_deterministic_algorithms_enabled()


def test_a_group_trained_twice_with_deterministic_algorithms_is_bit_identical_on_cpu():
    setup = get_setup("digits-knn-graph")
    configs = [short(setup.default, seed=7), short(setup.default, seed=8)]

    first = train_together(setup, configs, device="cpu", deterministic=True)
    second = train_together(setup, configs, device="cpu", deterministic=True)

    assert [r.weights_sha256 for r in first] == [r.weights_sha256 for r in second]
    assert first[0].weights_sha256 != first[1].weights_sha256


def test_a_run_records_what_it_ran_on_and_how_it_did():
    setup = get_setup("seed-sentences")

    result = train_run(setup, setup.default, device="cpu")

    assert result.setup == "seed-sentences" and result.config == setup.default
    assert result.seed == 42 and result.device == "cpu" and not result.deterministic
    assert result.torch_version == torch.__version__
    assert result.seconds > 0
    assert len(result.test_predictions) == len(result.test_gold) == len(setup.data.test)
    correct = per_example_correctness(result)
    assert correct.dtype == bool and correct.mean() == pytest.approx(result.test_metric)
    assert (correct == (np.array(result.test_predictions) == np.array(result.test_gold))).all()


def test_dropout_draws_the_same_mask_for_a_run_alone_and_under_vmap():
    h = torch.ones(5, 64, 33)
    rates = torch.tensor([0.0, 0.1, 0.3, 0.5, 0.5])
    keys = torch.tensor([5, 6, 7, 8, 9])

    together = vmap(noise.dropout, in_dims=(0, 0, 0, None))(h, rates, keys, 3)
    alone = torch.stack([noise.dropout(h[i], rates[i], keys[i], 3) for i in range(5)])

    assert torch.equal(together, alone)
    assert torch.equal(together[0], h[0])
    assert not torch.equal(together[3] == 0, together[4] == 0)


def test_dropout_drops_its_rate_and_rescales_the_rest():
    h = torch.ones(200_000)

    out = noise.dropout(h, torch.tensor(0.3), torch.tensor(123), salt=0)

    dropped = (out == 0).float().mean().item()
    assert dropped == pytest.approx(77 / 256, abs=0.005)  # 0.3 in steps of 1/256
    assert out[out > 0].unique().tolist() == pytest.approx([1 / (1 - 77 / 256)])


def test_each_seed_gets_its_own_permutation_of_the_data():
    keys = noise.stream_keys(torch.tensor([1, 2, 1]), noise.ORDER_STREAM, torch.tensor([0]))[0]

    orders = noise.permutations(keys, 1000)

    assert (orders.sort(dim=1).values == torch.arange(1000)).all()
    assert torch.equal(orders[0], orders[2])
    assert not torch.equal(orders[0], orders[1])


@on_gpu
def test_gpu_index_add_reruns_with_a_fixed_seed_differ_without_deterministic_algorithms():
    setup = get_setup("digits-knn-graph")
    config = {**setup.default, "seed": 42}

    reruns = {train_run(setup, config, device="cuda").weights_sha256 for _ in range(3)}

    assert len(reruns) > 1


@on_gpu
def test_gpu_index_add_reruns_with_a_fixed_seed_are_identical_with_deterministic_algorithms():
    setup = get_setup("digits-knn-graph")
    config = {**setup.default, "seed": 42}

    reruns = [train_run(setup, config, device="cuda", deterministic=True) for _ in range(3)]

    assert len({run.weights_sha256 for run in reruns}) == 1
    assert reruns[0].device == "cuda" and reruns[0].cuda_version


@on_gpu
def test_gpu_runs_trained_together_match_runs_trained_alone():
    setup = get_setup("digits-mlp")
    configs = [short(setup.default, seed=seed, dropout=0.2) for seed in (1, 2, 3, 4)]

    alone = [train_run(setup, config, device="cuda") for config in configs]
    together = train_together(setup, configs, device="cuda")

    for single, grouped in zip(alone, together, strict=True):
        assert grouped.device == single.device == "cuda"
        assert_same_run(single, grouped)
