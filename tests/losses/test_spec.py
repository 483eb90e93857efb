"""`LossSpec`: the one text form of a loss (parse, label, to_cli)."""

from __future__ import annotations

import pytest

from losscli.errors import UsageError
from losscli.losses import LossSpec, resolve_losses


def test_parse_the_loss_option_form():
    spec = LossSpec.parse("huber:delta=2.5")
    assert (spec.name, spec.params, spec.label) == ("huber", {"delta": 2.5}, "huber")
    assert LossSpec.parse("L2").name == "mse"  # an alias
    assert LossSpec.parse("log_loss", "multiclass").name == "cross_entropy"


def test_label_form_only_when_asked():
    assert LossSpec.parse("huber(delta=2)", labels=True).params == {"delta": 2.0}
    assert LossSpec.parse("huber:delta=2", labels=True).params == {"delta": 2.0}
    with pytest.raises(UsageError, match="unknown loss"):
        LossSpec.parse("huber(delta=2)")


@pytest.mark.parametrize(
    "text", ["mse", "huber:delta=2.5", "focal:gamma=1,alpha=none", "quantile:alpha=0.9"]
)
def test_to_cli_parses_back_to_the_same_spec(text):
    spec = LossSpec.parse(text)
    again = LossSpec.parse(spec.to_cli())
    assert (again.loss, again.params) == (spec.loss, spec.params)


def test_to_cli_and_qualified_label_show_only_explicit_parameters():
    assert LossSpec.parse("huber:delta=1").to_cli() == "huber"  # the default
    assert LossSpec.parse("poisson_deviance").to_cli() == "tweedie:power=1"
    assert LossSpec.parse("focal:alpha=none").to_cli() == "focal"
    assert LossSpec.parse("focal:alpha=0.25").qualified_label() == "focal(alpha=0.25)"
    assert LossSpec.parse("mse").qualified_label() == "mse"


def test_labels_tell_apart_a_loss_asked_twice():
    labels = [s.label for s in resolve_losses(["huber", "huber:delta=2", "mse"])]
    assert labels == ["huber", "huber(delta=2)", "mse"]
    spec = LossSpec.parse("mse").with_label("my mse")
    assert spec.label == "my mse" and spec.name == "mse"
