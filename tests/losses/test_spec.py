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
    assert labels == ["huber(delta=1)", "huber(delta=2)", "mse"]  # never the bare shared name
    # asked twice with the same parameters: one loss, labelled by its name
    assert [s.label for s in resolve_losses(["huber:delta=2", "huber:delta=2.0"])] == ["huber"]
    assert [s.label for s in resolve_losses(["huber", "huber:delta=1"])] == ["huber"]
    spec = LossSpec.parse("mse").with_label("my mse")
    assert spec.label == "my mse" and spec.name == "mse"


def test_qualified_label_of_default_parameters_names_them_all():
    assert LossSpec.parse("huber").qualified_label() == "huber(delta=1)"
    assert LossSpec.parse("focal").qualified_label() == "focal(gamma=2,alpha=none)"
    assert LossSpec.parse("mse").qualified_label() == "mse"  # no parameters to show


def test_fixed_names_the_parameters_the_text_set():
    assert LossSpec.parse("huber").fixed == frozenset()
    assert LossSpec.parse("huber:delta=1").fixed == {"delta"}
    assert LossSpec.parse("focal(gamma=3)", labels=True).fixed == {"gamma"}
    assert LossSpec.parse("poisson_deviance").fixed == {"power"}  # through the preset


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("huber:delta=2,delta=3", "parameter 'delta' is given twice"),
        ("huber:=2", "malformed loss parameter"),
        ("gamma_deviance:power=1", "gamma_deviance is tweedie with power=2; for power=1 use"),
    ],
)
def test_parse_refuses_what_it_would_have_to_guess(text, match):
    with pytest.raises(UsageError, match=match):
        LossSpec.parse(text)


@pytest.mark.parametrize(
    "text", ["huber(delta=2", "huber(delta=2))", "huber(delta=2)x", "h:x(a=1)"]
)
def test_parse_refuses_malformed_labels(text):
    with pytest.raises(UsageError, match="malformed loss label"):
        LossSpec.parse(text, labels=True)


def test_an_alias_never_shadows_another():
    """Lookup tries names before presets and task aliases: a preset or task alias spelled like a
    name would never be reached, so registering one is refused."""
    from losscli.losses import CATALOGUE, Catalogue

    catalogue = Catalogue()
    catalogue.register(CATALOGUE["huber"])
    catalogue.register(CATALOGUE["cross_entropy"])
    with pytest.raises(ValueError, match="'Huber' is taken"):
        catalogue.preset("Huber", "huber", delta=2.0)
    with pytest.raises(ValueError, match="'cross_entropy_loss' is taken"):  # CrossEntropyLoss
        catalogue.task_alias("cross_entropy_loss", {"multiclass": "cross_entropy"})
    catalogue.task_alias("log_loss", {"multiclass": "cross_entropy"})
    catalogue.task_alias("logloss", {"multiclass": "cross_entropy"})  # a spelling of the same
    with pytest.raises(ValueError, match="'LogLoss' is taken"):
        catalogue.preset("LogLoss", "huber", delta=2.0)
