"""The lab on a CUDA GPU: what a fixed seed does there. Skipped where torch sees no GPU."""

from __future__ import annotations

import pytest
import torch

from audit.lab import actions
from audit.lab.models import Experiment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_index_add_reruns_of_a_fixed_seed_differ_unless_algorithms_are_deterministic():
    experiment = actions.create_experiment("digits-knn-graph", "fixed_seed", 3, 42, "cuda")

    actions.run_experiment(experiment.pk)

    experiment.refresh_from_db()
    free, deterministic = experiment.summary["modes"]
    assert free["devices"] == deterministic["devices"] == ["cuda"]
    assert not free["bit_identical"] and free["distinct_models"] > 1
    assert deterministic["bit_identical"]
    run = experiment.runs.first()
    assert run.cuda_version and run.device_name


def test_a_seed_only_experiment_trains_its_runs_together_on_the_gpu():
    experiment = actions.create_experiment("digits-mlp", "seed_only", 32, 1, "cuda")

    actions.run_experiment(experiment.pk)

    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.DONE
    assert set(experiment.runs.values_list("trained_together", "device")) == {(32, "cuda")}
