"""Unit tests of `losscli.gates`: parsing, matching a gate to results, evaluation, baselines."""

from __future__ import annotations

import json

import pytest

from losscli.errors import InputError, UsageError
from losscli.gates import (
    Baseline,
    Gate,
    evaluate,
    gate_specs,
    load_baseline,
    parse_gate,
    parse_gates,
    resolve,
)
from losscli.losses import resolve_losses
from losscli.result import ComputeResult, LossResult


def result(*losses: LossResult) -> ComputeResult:
    return ComputeResult(inputs={}, results=list(losses))


MSE = LossResult("mse", "mse", {}, 0.5, "mean", 10, 10.0)
MSE_EU = LossResult("mse", "mse", {}, 0.9, "mean", 4, 4.0, group={"region": "eu"})
HUBER = LossResult("huber", "huber", {"delta": 1.0}, 0.2, "mean", 10, 10.0)
HUBER_2 = LossResult("huber(delta=2)", "huber", {"delta": 2.0}, 0.3, "mean", 10, 10.0)


# --- parse ------------------------------------------------------------------------------------


def test_parse_gate_reads_loss_and_limit():
    assert parse_gate("max", "mse=0.3") == Gate("max", "mse", 0.3)
    assert parse_gate("min", " huber(delta=2) = 1e-3 ") == Gate("min", "huber(delta=2)", 1e-3)
    assert parse_gate("max", "huber:delta=30=4") == Gate("max", "huber:delta=30", 4.0)


def test_parse_gate_percent_is_relative_for_max_increase_only():
    gate = parse_gate("max_increase", "bce=5%")
    assert gate == Gate("max_increase", "bce", 0.05, relative=True)
    assert gate.text == "--max-increase bce=5%"
    assert parse_gate("max_increase", "bce=0.1").text == "--max-increase bce=0.1"
    with pytest.raises(
        UsageError, match="percentages go with --max-increase and --min-decrease only"
    ):
        parse_gate("max", "bce=5%")


@pytest.mark.parametrize(
    ("kind", "text", "match"),
    [
        ("max", "mse", "malformed gate '--max mse'"),
        ("max", "=0.3", "malformed"),
        ("max", "mse=", "malformed"),
        ("max", "huber(delta=2=0.3", "malformed"),
        ("max", "huber(a=1)(b=2)=0.3", "malformed"),
        ("min", "mse=abc", "'abc' is not a number"),
        ("max", "mse=inf", "must be finite"),
        ("max_increase", "mse=-1", "must be >= 0"),
        ("max_increase", "mse=5%%", "'5%%' is not a number"),
    ],
)
def test_parse_gate_refuses_malformed_text(kind, text, match):
    with pytest.raises(UsageError, match=match):
        parse_gate(kind, text)


def test_parse_gates_keeps_max_min_increase_order():
    gates = parse_gates(["a=1"], ["b=2"], ["c=3%"])
    assert [(g.kind, g.loss) for g in gates] == [("max", "a"), ("min", "b"), ("max_increase", "c")]


# --- which loss a gate names -----------------------------------------------------------------


def specs(*texts: str, task: str = "regression"):
    return resolve_losses(list(texts), task)


def judged(texts, gate_text, kind="max", task="regression"):
    """(name, params) of the loss a gate judges when `texts` are asked for."""
    gate = parse_gate(kind, gate_text)
    planned = gate_specs([gate], specs(*texts, task=task), task)
    target = resolve(gate, planned, task)
    assert target is not None
    return target.name, target.params


def test_resolve_exact_label_alias_and_parameters():
    computed = [MSE, HUBER_2]
    for text, label in [
        ("mse", "mse"),
        ("l2", "mse"),  # an alias
        ("huber", "huber(delta=2)"),  # the only huber, whatever its parameters
        ("huber:delta=2", "huber(delta=2)"),
        ("huber(delta=2)", "huber(delta=2)"),
        ("huber(delta=2.0)", "huber(delta=2)"),
    ]:
        target = resolve(parse_gate("max", f"{text}=1"), computed)
        assert target is not None and target.label == label, text


def test_resolve_given_parameters_must_match():
    assert resolve(parse_gate("max", "huber:delta=30=1"), [HUBER]) is None
    assert resolve(parse_gate("max", "huber(delta=30)=1"), [HUBER]) is None
    assert resolve(parse_gate("max", "mae=1"), [MSE]) is None


def test_a_name_several_computed_losses_share_is_a_usage_error_listing_labels():
    huber_3 = LossResult("huber(delta=3)", "huber", {"delta": 3.0}, 0.1, "mean", 10, 10.0)
    with pytest.raises(UsageError) as info:
        resolve(parse_gate("max", "huber=1.3"), [HUBER_2, huber_3])
    assert "2 computed losses are huber (huber(delta=2), huber(delta=3))" in info.value.message
    assert "--max 'huber(delta=2)=...'" in str(info.value)


def test_parameters_that_match_a_computed_loss_only_in_part_are_refused():
    focal = specs("focal:gamma=3,alpha=0.25", task="binary")
    with pytest.raises(UsageError, match=r"names focal\(gamma=3\), which was not computed"):
        resolve(parse_gate("max", "focal(gamma=3)=1"), focal, "binary")


def test_a_gate_on_a_parameterised_loss_judges_it_and_adds_no_default():
    # the issue's examples: no huber(delta=1) / quantile(alpha=0.5) is invented
    assert judged(["huber:delta=2"], "huber=1.3") == ("huber", {"delta": 2.0})
    assert judged(["quantile:alpha=0.9"], "quantile=1") == ("quantile", {"alpha": 0.9})
    for kind in ("max", "min", "max_increase"):
        planned = gate_specs([parse_gate(kind, "huber=1")], specs("huber:delta=2"), "regression")
        assert [(s.label, s.params) for s in planned] == [("huber", {"delta": 2.0})]


def test_the_issue_example_is_a_usage_error_not_a_third_huber():
    with pytest.raises(UsageError, match=r"huber\(delta=2\), huber\(delta=3\)"):
        gate_specs(
            parse_gates(["huber=1.3"]), specs("huber:delta=2", "huber:delta=3"), "regression"
        )
    with pytest.raises(UsageError, match=r"quantile\(alpha=0.1\), quantile\(alpha=0.9\)"):
        gate_specs(
            parse_gates(min_=["quantile=0"]),
            specs("quantile:alpha=0.1", "quantile:alpha=0.9"),
            "regression",
        )


def test_a_gate_on_a_loss_not_computed_adds_exactly_that_loss():
    planned = gate_specs(parse_gates(["mae=1"]), specs("mse"), "regression")
    assert [(s.label, s.params) for s in planned] == [("mse", {}), ("mae", {})]
    planned = gate_specs(parse_gates(["huber(delta=1)=1"]), specs("mse"), "regression")
    assert [(s.label, s.params) for s in planned] == [("mse", {}), ("huber", {"delta": 1.0})]
    planned = gate_specs(parse_gates(["huber(delta=30)=1"]), specs("huber"), "regression")
    assert [s.label for s in planned] == ["huber(delta=1)", "huber(delta=30)"]
    # a preset names its parameters: never the tweedie of another power
    planned = gate_specs(parse_gates(["poisson_deviance=9"]), specs("tweedie"), "regression")
    assert [s.label for s in planned] == ["tweedie(power=1.5)", "tweedie(power=1)"]


def test_a_bare_name_never_adds_a_loss_with_default_parameters():
    """`--loss mse --max huber=1` would judge huber(delta=1), and the same gate judges
    huber(delta=3) once the config asks for it: so the bare name is refused up front."""
    with pytest.raises(UsageError) as info:
        gate_specs(parse_gates(["huber=1"]), specs("mse"), "regression")
    assert "huber was not computed, and the name alone does not say its parameters" in str(
        info.value
    )
    assert info.value.hint is not None and "--max 'huber(delta=1)=1'" in info.value.hint
    with pytest.raises(UsageError, match="bce was not computed"):
        gate_specs(parse_gates(["log_loss=1"]), specs("brier", task="binary"), "binary")
    # a gate's own parameterised loss makes the bare name shared: refused whatever the order
    gates = parse_gates(["huber=1", "huber(delta=30)=2"])
    for ordered in (gates, gates[::-1]):
        with pytest.raises(UsageError, match=r"huber \(huber\(delta=1\), huber\(delta=30\)\)"):
            gate_specs(ordered, specs("huber"), "regression")


@pytest.mark.parametrize(
    ("gate", "match"),
    [
        ("nope=1", "gate '--max nope=1': unknown loss 'nope'"),
        ("bce=1", "gate '--max bce=1': bce does not apply to regression"),
        ("huber(delta=-1)=1", "gate '--max huber\\(delta=-1\\)=1': huber: parameter 'delta'"),
        ("huber:delta=1,delta=2=1", "given twice"),
    ],
)
def test_a_gate_that_names_no_usable_loss_is_a_usage_error(gate, match):
    with pytest.raises(UsageError, match=match):
        gate_specs([parse_gate("max", gate)], specs("mse"), "regression")


BASE_CONFIGS = [["mse"], ["huber:delta=2"], ["mse", "quantile:alpha=0.9"], ["huber", "mae"]]
GATES = ["huber=1", "quantile=1", "mse=1", "huber(delta=2)=1", "mae=1"]
EXTRAS = ["huber:delta=3", "huber", "quantile:alpha=0.1", "mae", "tweedie", "poisson_deviance"]


@pytest.mark.parametrize("kind", ["max", "min", "max_increase"])
def test_adding_a_loss_never_changes_what_a_gate_judges(kind):
    """For every config and gate that resolves: adding any loss leaves the judged loss the same
    or refuses (exit 2); it never silently judges another."""
    checked = refused = 0
    for base in BASE_CONFIGS:
        for text in GATES:
            try:
                before = judged(base, text, kind)
            except UsageError:
                continue
            for extra in EXTRAS:
                try:
                    after = judged([*base, extra], text, kind)
                except UsageError:
                    refused += 1
                    continue
                assert after == before, (base, text, extra)
                checked += 1
    assert checked > 50 and refused >= 3


# --- evaluate ---------------------------------------------------------------------------------


def test_max_and_min_pass_and_fail():
    outcomes = evaluate(result(MSE), parse_gates(["mse=0.5", "mse=0.4"], ["mse=0.6"]))
    assert [o.status for o in outcomes] == ["pass", "fail", "fail"]
    assert outcomes[0].message == "mse = 0.5 <= 0.5"
    assert outcomes[1].message == "mse = 0.5 > 0.4" and outcomes[1].limit == 0.4
    assert outcomes[2].message == "mse = 0.5 < 0.6"


def test_gates_hold_per_group_unless_scope_is_overall():
    gates = parse_gates(["mse=0.6"])
    outcomes = evaluate(result(MSE, MSE_EU), gates)
    assert [(o.group, o.status) for o in outcomes] == [(None, "pass"), ({"region": "eu"}, "fail")]
    assert outcomes[1].message == "mse [region=eu] = 0.9 > 0.6"
    overall = evaluate(result(MSE, MSE_EU), gates, scope="overall")
    assert [o.status for o in overall] == ["pass"]


def test_a_gate_never_passes_by_default():
    missing = evaluate(result(MSE), parse_gates(["mae=1"]))
    assert [(o.status, o.message) for o in missing] == [("error", "mae was not computed")]
    undefined = LossResult("mse", "mse", {}, None, "mean", 0, 0.0)
    (outcome,) = evaluate(result(undefined), parse_gates(["mse=1"]))
    assert outcome.status == "error" and not outcome.passed
    nan = LossResult("mse", "mse", {}, float("nan"), "mean", 3, 3.0)
    assert evaluate(result(nan), parse_gates(["mse=1"]))[0].status == "error"


def test_evaluate_refuses_bad_scope_and_increase_without_baseline():
    with pytest.raises(UsageError, match="--gate must be 'all' or 'overall'"):
        evaluate(result(MSE), [], scope="groups")
    with pytest.raises(UsageError, match="needs --baseline"):
        evaluate(result(MSE), parse_gates(max_increase=["mse=5%"]))


def test_a_group_without_a_value_fails():
    huber_overall = LossResult("huber", "huber", {"delta": 1.0}, 0.2, "mean", 10, 10.0)
    outcomes = evaluate(result(MSE, MSE_EU, huber_overall), parse_gates(["huber=1"]))
    assert [(o.group, o.status) for o in outcomes] == [(None, "pass"), ({"region": "eu"}, "error")]
    assert outcomes[1].message == "huber [region=eu] has no value (no rows in this group)"


# --- baselines ----------------------------------------------------------------------------------


def baseline_json(*entries: dict, **inputs) -> dict:
    """A baseline as `compute --json` writes it (schema 1), with these results."""
    return {
        "schema_version": 1,
        "tool": {"name": "losscli", "version": "0.1.0"},
        "inputs": {
            "task": "regression",
            "reduction": "mean",
            "rows": {"read": 10, "used": 10, "dropped": 0},
            "columns": {"weight": None},
            **inputs,
        },
        "results": [
            {"name": "mse", "label": "mse", "params": {}, "group": None, **e} for e in entries
        ],
    }


def test_max_increase_relative_and_absolute():
    old = baseline_json({"value": 0.4})
    rel, absolute, tight = evaluate(
        result(MSE), parse_gates(max_increase=["mse=30%", "mse=0.05", "mse=0"]), baseline=old
    )
    assert rel.status == "pass" and rel.limit == pytest.approx(0.52) and rel.baseline == 0.4
    assert rel.message == "mse = 0.5, baseline 0.4: change +0.1 (+25%), allowed +0.12"
    assert absolute.status == "fail" and absolute.limit == pytest.approx(0.45)
    assert tight.status == "fail"


def test_baseline_matches_loss_parameters_and_group_not_label():
    old = baseline_json(
        {"group": {"region": "us"}, "value": 0.1},
        {"label": "renamed", "group": {"region": "eu"}, "value": 1.0},
        {"value": 0.5},
    )
    gates = parse_gates(max_increase=["mse=0"])
    outcomes = evaluate(result(MSE, MSE_EU), gates, baseline=old)
    assert [(o.group, o.baseline, o.status) for o in outcomes] == [
        (None, 0.5, "pass"),
        ({"region": "eu"}, 1.0, "pass"),
        ({"region": "us"}, None, "error"),  # in the baseline, not in this run: it fails
    ]
    assert outcomes[2].message == "mse [region=us] is in the baseline but not in this run"
    assert [
        o.status for o in evaluate(result(MSE, MSE_EU), gates, baseline=old, scope="overall")
    ] == ["pass"]


def test_baseline_without_a_value_is_an_error():
    for old in (
        baseline_json(),
        baseline_json({"value": None}),
        baseline_json({"group": {"region": "eu"}, "value": 0.4}),
        baseline_json({"params": {"delta": 1.0}, "name": "huber", "value": 0.4}),
    ):
        outcome = evaluate(result(MSE), parse_gates(max_increase=["mse=1"]), baseline=old)[0]
        assert outcome.status == "error"
        assert outcome.message == "the baseline has no value for mse"


def test_zero_baseline_reports_no_relative_change():
    old = baseline_json({"value": 0})
    (outcome,) = evaluate(result(MSE), parse_gates(max_increase=["mse=1"]), baseline=old)
    assert outcome.message == "mse = 0.5, baseline 0: change +0.5, allowed +1"


class CountingList(list):
    """A list that counts how often it is iterated."""

    iterations = 0

    def __iter__(self):
        CountingList.iterations += 1
        return super().__iter__()


def test_the_baseline_is_indexed_once_not_scanned_per_result():
    groups = [{"g": i} for i in range(300)]
    old = baseline_json({"value": 0.5}, *({"group": g, "value": 0.5} for g in groups))
    old["results"] = CountingList(old["results"])
    run = [MSE, *(LossResult("mse", "mse", {}, 0.5, "mean", 1, 1.0, group=g) for g in groups)]
    CountingList.iterations = 0
    outcomes = evaluate(result(*run), parse_gates(max_increase=["mse=0"]), baseline=old)
    assert len(outcomes) == 301 and all(o.passed for o in outcomes)
    assert CountingList.iterations <= 1


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"schema_version": 99}, "schema_version 99, this losscli reads 1"),
        ({"schema_version": True}, "schema_version true"),
        ({"schema_version": None}, "schema_version null"),
        ({"tool": {"name": "other"}}, "not written by losscli"),
        ({"inputs": None}, "no 'inputs' object"),
        ({"inputs": {"task": "ranking"}}, 'inputs.task is "ranking"'),
    ],
)
def test_a_baseline_must_say_what_it_is(change, match):
    with pytest.raises(InputError, match=match):
        Baseline.from_dict({**baseline_json({"value": 1.0}), **change}, "old.json")


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"value": float("inf")}, "results\\[0\\] \\(mse\\): value Infinity is not a finite"),
        ({"value": float("nan")}, "value NaN is not a finite number"),
        ({"value": True}, "value true is not a finite number"),
        ({"value": "0.4"}, 'value "0.4" is not a finite number'),
        ({"params": {"delta": "2"}, "value": 1.0}, "params .* are not numbers"),
        ({"group": ["eu"], "value": 1.0}, "is not an object"),
        ({"name": None, "value": 1.0}, "has no loss name"),
    ],
)
def test_baseline_values_must_be_finite_numbers(entry, match):
    with pytest.raises(InputError, match=match):
        Baseline.from_dict(baseline_json(entry), "old.json")


def test_a_baseline_repeating_a_result_is_refused():
    with pytest.raises(InputError, match="results\\[1\\] repeats mse"):
        Baseline.from_dict(baseline_json({"value": 1.0}, {"value": 2.0}), "old.json")


def check(old: dict, gated=("mse",), task="regression", reduction="mean", weight=None):
    Baseline.from_dict(old, "old.json").check(
        task=task, reduction=reduction, weight=weight, gated=specs(*gated)
    )


def test_a_baseline_of_another_task_reduction_or_weighting_is_refused():
    with pytest.raises(InputError, match=r"baseline old\.json: task multilabel, this run binary"):
        check(baseline_json({"name": "bce"}, task="multilabel"), gated=(), task="binary")
    with pytest.raises(InputError, match=r"baseline old\.json: reduction sum, this run mean"):
        check(baseline_json({"value": 1.0}, reduction="sum"))
    with pytest.raises(InputError, match="weighted by 'w', this run unweighted") as info:
        check(baseline_json({"value": 1.0}, columns={"weight": "w"}))
    assert info.value.hint == "pass --weight w"
    with pytest.raises(InputError, match="unweighted, this run weighted by 'w'"):
        check(baseline_json({"value": 1.0}), weight="w")
    check(baseline_json({"value": 1.0}, columns={"weight": "w"}), weight="w")  # same: fine


def test_a_baseline_with_other_parameters_of_the_gated_loss_is_refused():
    old = baseline_json({"name": "huber", "label": "huber", "params": {"delta": 2.0}, "value": 1.0})
    with pytest.raises(InputError, match="huber with delta=2, this run delta=3"):
        check(old, gated=("huber:delta=3",))
    check(old, gated=("huber:delta=2",))
    check(old, gated=("mae",))  # not in the baseline at all: the gate fails (exit 1)


def test_a_null_value_a_gate_needs_is_refused_but_other_nulls_are_not():
    old = baseline_json({"value": 1.0}, {"group": {"region": "eu"}, "value": None})
    with pytest.raises(InputError, match=r"no value \(null\) for mse \[region=eu\]"):
        check(old)
    Baseline.from_dict(old, "old.json").check(
        task="regression", reduction="mean", weight=None, gated=specs("mse"), groups=False
    )
    check(old, gated=("mae",))


def test_a_large_difference_in_rows_is_a_warning():
    old = Baseline.from_dict(baseline_json(rows={"used": 569}), "old.json")
    assert old.warnings(100) == [
        "baseline old.json used 569 rows, this run 100 (-82%): a change may come from the data, "
        "not the model"
    ]
    assert old.warnings(569) == [] and old.warnings(520) == []  # within 10%
    assert old.warnings(700) != []


def test_load_baseline(tmp_path):
    good = tmp_path / "old.json"
    good.write_text(json.dumps(baseline_json({"value": 0.25})), encoding="utf-8")
    loaded = load_baseline(str(good))
    assert loaded.value("mse", {}, None) == 0.25 and loaded.source == str(good)
    infinite = tmp_path / "inf.json"
    infinite.write_text(good.read_text().replace("0.25", "Infinity"), encoding="utf-8")
    with pytest.raises(InputError, match="value Infinity is not a finite number"):
        load_baseline(str(infinite))
    with pytest.raises(InputError, match="no such baseline file"):
        load_baseline(str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read baseline JSON"):
        load_baseline(str(broken))
    other = tmp_path / "other.json"
    other.write_text("[1]", encoding="utf-8")
    with pytest.raises(InputError, match="not a losscli JSON result"):
        load_baseline(str(other))


def test_group_keys_compare_numbers_as_numbers_but_not_booleans():
    from losscli.baseline import group_key

    assert group_key({"fold": 4}) == group_key({"fold": 4.0})  # read as int once, float later
    assert group_key({"a": 1, "b": "x"}) == group_key({"b": "x", "a": 1})
    assert group_key({"flag": True}) != group_key({"flag": 1})
    assert group_key({"fold": "4"}) != group_key({"fold": 4})
    assert group_key({"x": float("nan")}) == group_key({"x": float("nan")})
    with pytest.raises(InputError, match="is not an object of values"):
        Baseline.from_dict(baseline_json({"group": {"region": ["eu"]}, "value": 1.0}))
