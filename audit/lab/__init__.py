"""The lab: rerun a model setup many times and see what its random seed does (issue 7).

- `audit.lab.setups`: what can be trained (the `Setup` interface, built-ins, the registry);
- `audit.lab.space`: hyperparameter spaces and random configurations, the seed and the data
  split's seed among them;
- `audit.lab.training`: training runs, alone or many together with `torch.func`;
- `audit.lab.noise`: the per-run randomness that makes the two give the same runs.

On top of it, the Django side: claims, experiments and their runs (`models`), which runs an
experiment is made of (`plan`), what they show (`analysis`), every write (`actions`), the Celery
tasks on the `lab` queue (`tasks`), which sentences can be tested (`claims`), and the report
with its charts and PDF (`reports`, `charts`, `pdf`).

The engine needs no Django (it reads `settings.SEEDAUDIT_LAB_SETUPS` only where settings are set
up), so it runs in a script or a notebook as well as in a Celery worker.
"""
