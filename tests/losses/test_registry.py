"""The catalogue's metadata is complete and consistent."""

from __future__ import annotations

import inspect

import pytest

from losscli.losses import CATALOGUE, GROWTH, PREDICTIONS, TASKS, get_loss, loss_names
from losscli.losses.registry import _key

LOSSES = list(CATALOGUE.values())


def test_catalogue_size():
    assert len(CATALOGUE) >= 20
    assert loss_names() == list(CATALOGUE)


@pytest.mark.parametrize("loss", LOSSES, ids=[loss.name for loss in LOSSES])
def test_metadata_is_complete(loss):
    for text in (loss.title, loss.summary, loss.formula):
        assert isinstance(text, str) and text.strip()
    assert loss.growth in GROWTH
    assert loss.prediction in PREDICTIONS
    assert loss.tasks and set(loss.kernels) <= set(TASKS)
    assert {"pytorch", "keras", "sklearn"} <= set(loss.equivalents)
    assert all(v.strip() for v in loss.equivalents.values())
    for param in loss.params:
        assert param.doc.strip()
        assert param.optional or param.check(param.default, loss.name) == param.default
    assert not loss.clips or loss.prediction == "probability"


@pytest.mark.parametrize("loss", LOSSES, ids=[loss.name for loss in LOSSES])
def test_kernels_match_the_flags(loss):
    """Kernels take from_logits / eps exactly when the loss says it accepts logits / clips."""
    for kernel in loss.kernels.values():
        params = inspect.signature(kernel).parameters
        if "params" in params:  # the multilabel wrapper forwards to the binary kernel
            continue
        assert ("from_logits" in params) == loss.accepts_logits
        assert ("eps" in params) == loss.clips


def test_names_and_aliases_resolve_to_themselves():
    for loss in LOSSES:
        for alias in (loss.name, *loss.aliases):
            assert get_loss(alias) is loss, alias
    owners: dict[str, set[str]] = {}
    for loss in LOSSES:
        for alias in (loss.name, *loss.aliases):
            owners.setdefault(_key(alias), set()).add(loss.name)
    assert all(len(names) == 1 for names in owners.values())


def test_loss_names_by_task():
    for task in TASKS:
        names = loss_names(task)
        assert names, task
        assert all(task in CATALOGUE[n].tasks for n in names)
