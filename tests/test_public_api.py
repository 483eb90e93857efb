"""The public API: every name `losscli` exports resolves, and `from losscli import *` works."""

from __future__ import annotations

import importlib

import pytest

import losscli


@pytest.mark.parametrize("name", losscli.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(losscli, name) is not None


def test_star_import_works():
    namespace: dict[str, object] = {}
    exec("from losscli import *", namespace)
    assert set(losscli.__all__) <= set(namespace)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'compute_arrays'"):
        _ = losscli.compute_arrays


def test_exports_are_the_objects_of_their_rooms():
    losses = importlib.import_module("losscli.losses")
    assert losscli.get_loss is losses.get_loss
    assert losscli.LossSpec is losses.LossSpec
    assert losscli.ComputeResult is importlib.import_module("losscli.result").ComputeResult
    assert issubclass(losscli.UsageError, losscli.LosscliError)
