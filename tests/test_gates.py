"""Unit tests of `losscli.gates`: parsing, matching a gate to results, evaluation, baselines."""

from __future__ import annotations

import json

import pytest

from losscli.errors import InputError, UsageError
from losscli.gates import Gate, evaluate, load_baseline, match_label, parse_gate, parse_gates
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
    ],
)
def test_parse_gate_refuses_malformed_text(kind, text, match):
    with pytest.raises(UsageError, match=match):
        parse_gate(kind, text)


def test_parse_gates_keeps_max_min_increase_order():
    gates = parse_gates(["a=1"], ["b=2"], ["c=3%"])
    assert [(g.kind, g.loss) for g in gates] == [("max", "a"), ("min", "b"), ("max_increase", "c")]


# --- match ------------------------------------------------------------------------------------


def test_match_label_exact_alias_and_parameters():
    results = [MSE, HUBER_2]
    assert match_label("mse", results) == "mse"
    assert match_label("l2", results) == "mse"  # an alias
    assert match_label("huber", results) == "huber(delta=2)"  # the only huber
    assert match_label("huber:delta=2", results) == "huber(delta=2)"
    assert match_label("huber(delta=2)", results) == "huber(delta=2)"


def test_match_label_given_parameters_must_match():
    assert match_label("huber:delta=30", [HUBER]) is None
    assert match_label("huber(delta=30)", [HUBER]) is None


def test_match_label_ambiguous_or_unknown_is_none():
    huber_3 = LossResult("huber(delta=3)", "huber", {"delta": 3.0}, 0.1, "mean", 10, 10.0)
    assert match_label("huber", [HUBER_2, huber_3]) is None
    assert match_label("no_such_loss", [MSE]) is None
    assert match_label("mae", [MSE]) is None


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


# --- baseline values --------------------------------------------------------------------------


def baseline(*entries: dict) -> dict:
    return {"results": list(entries)}


def test_max_increase_relative_and_absolute():
    old = baseline({"label": "mse", "group": None, "value": 0.4})
    rel, absolute, tight = evaluate(
        result(MSE), parse_gates(max_increase=["mse=30%", "mse=0.05", "mse=0"]), baseline=old
    )
    assert rel.status == "pass" and rel.limit == pytest.approx(0.52) and rel.baseline == 0.4
    assert rel.message == "mse = 0.5, baseline 0.4: change +0.1 (+25%), allowed +0.12"
    assert absolute.status == "fail" and absolute.limit == pytest.approx(0.45)
    assert tight.status == "fail"


def test_baseline_matches_label_and_group_and_reads_name_as_fallback():
    old = baseline(
        "not an entry",
        {"label": "mse", "group": {"region": "us"}, "value": 0.1},
        {"name": "mse", "group": {"region": "eu"}, "value": 1.0},
        {"label": "mse", "group": None, "value": 0.5},
    )
    outcomes = evaluate(result(MSE, MSE_EU), parse_gates(max_increase=["mse=0"]), baseline=old)
    assert [(o.baseline, o.status) for o in outcomes] == [(0.5, "pass"), (1.0, "pass")]


def test_baseline_without_a_value_is_an_error():
    for old in (
        baseline(),
        baseline({"label": "mse", "group": None, "value": None}),
        baseline({"label": "mse", "group": None, "value": "0.4"}),
        baseline({"label": "mse", "group": {"region": "eu"}, "value": 0.4}),
    ):
        (outcome,) = evaluate(result(MSE), parse_gates(max_increase=["mse=1"]), baseline=old)
        assert outcome.status == "error"
        assert outcome.message == "the baseline has no value for mse"


def test_zero_baseline_reports_no_relative_change():
    old = baseline({"label": "mse", "group": None, "value": 0})
    (outcome,) = evaluate(result(MSE), parse_gates(max_increase=["mse=1"]), baseline=old)
    assert outcome.message == "mse = 0.5, baseline 0: change +0.5, allowed +1"


def test_load_baseline(tmp_path):
    good = tmp_path / "old.json"
    good.write_text(json.dumps({"results": []}), encoding="utf-8")
    assert load_baseline(str(good)) == {"results": []}
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
