"""Threshold configuration: defaults, overrides, bad files."""

from __future__ import annotations

import pytest

from campro_edge.errors import InputError
from campro_edge.evaluation.thresholds import Thresholds, load_thresholds


def test_defaults():
    t = load_thresholds(None)
    assert t == Thresholds()
    assert t.captured_top1_max == 0.05 and t.detection_ratio_min == 0.8
    assert t.restored_top1_max is None


def test_override_and_disable(tmp_path):
    p = tmp_path / "t.json"
    p.write_text('{"captured_top1_max": 0.01, "raw_top1_min": null}')
    t = load_thresholds(p)
    assert t.captured_top1_max == 0.01 and t.raw_top1_min is None
    assert t.detection_ratio_min == 0.8  # untouched keys keep their default


@pytest.mark.parametrize("text,match", [
    ('{"captured_top1": 0.1}', "captured_top1"),  # misspelt key
    ('{"captured_top1_max": 2}', "captured_top1_max"),  # a fraction above 1
    ("[1, 2]", "JSON object"),
    ("{nope", "not a valid JSON"),
])
def test_bad_files_are_one_line_input_errors(tmp_path, text, match):
    p = tmp_path / "t.json"
    p.write_text(text)
    with pytest.raises(InputError, match=match) as exc:
        load_thresholds(p)
    assert "\n" not in str(exc.value)


def test_missing_file():
    with pytest.raises(InputError, match="no such thresholds file"):
        load_thresholds("/nonexistent/t.json")
