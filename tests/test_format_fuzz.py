"""Fuzz: a caption number format that `check` accepts never crashes `plan`, `sample` or the
worker's caption and metadata path with anything but a PsynthError (issue 19, item 1).

Formats are drawn from every piece of the format-spec grammar (fill, align, sign, z, #, 0,
width, grouping, precision, type), oversized widths and precisions included, plus free text;
each is placed on a continuous float axis, an int axis with a wide span, an int axis with a
narrow span and a `one_of` over numbers, so every path of `psynth_spec.numbers` runs: the
right-aligned and the layout renderers, the table of possible texts, the int span table, the
distinct-value fallback and the levels table.
"""

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from psynth_render.metadata import sample_metadata
from psynth_spec.compile import compile_text
from psynth_spec.errors import PsynthError, SpecError
from psynth_spec.plan import make_plan
from psynth_spec.sampler import sample_shard

AXES = {
    "camera.focal_length": "uniform(8, 600)",
    "render.samples": "randint(1, 65536)",
    "geometry.subdivision": "randint(0, 4)",
    "lighting.kelvin": "one_of [2500, 5600.5, 9000]",
}

_width = st.one_of(st.integers(0, 80).map(str), st.sampled_from(["999999999", "65", "64", "00", "1" * 30]))
_precision = st.one_of(st.integers(0, 20).map(lambda p: f".{p}"), st.sampled_from([".999999999", ".", ".18"]))
format_specs = st.one_of(
    st.tuples(
        st.sampled_from(["", "*", "0", " ", "é", "{", "x"]),
        st.sampled_from(["", "<", ">", "=", "^"]),
        st.sampled_from(["", "+", "-", " "]),
        st.sampled_from(["", "z"]),
        st.sampled_from(["", "#"]),
        st.sampled_from(["", "0"]),
        st.one_of(st.just(""), _width),
        st.sampled_from(["", ",", "_"]),
        st.one_of(st.just(""), _precision),
        st.sampled_from(list("bcdeEfFgGnosxX%") + [""]),
    ).map("".join),
    st.text(alphabet="0123456789.,_<>=^+- z#%bcdeEfFgGnosxX*", min_size=1, max_size=12),
)


def _spec_text(axis: str, fmt: str) -> str:
    escaped = fmt.replace("\\", "\\\\").replace('"', '\\"')
    return (
        "dataset fuzz_formats {\n    samples 5000\n    shard_size 5000\n    seed 7\n"
        f"    {axis} ~ {AXES[axis]}\n"
        f'    caption "value {{{axis}:{escaped}}}"\n}}\n'
    )


def run_pipeline(axis: str, fmt: str) -> None:
    """check; when it accepts: sample a shard, plan, and build each sample's metadata JSON."""
    try:
        spec = compile_text(_spec_text(axis, fmt), "fuzz.psynth", pilot=False)
    except SpecError:
        return
    try:
        frame = sample_shard(spec, 0)
        make_plan(spec, pilot_samples=5000)
        for row in frame.head(50).iter_rows(named=True):
            json.dumps(sample_metadata(row, spec, camera={}, render={}))
            assert isinstance(row["caption"], str)
    except PsynthError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(AXES)), format_specs)
@example("camera.focal_length", "999999999")
@example("camera.focal_length", ".999999999f")
@example("render.samples", "c")
@example("render.samples", ",.17%")
def test_accepted_formats_never_crash_later(axis, fmt):
    run_pipeline(axis, fmt)


def test_huge_width_and_precision_are_located_errors():
    for fmt, words in (("999999999", "width 999,999,999"), (".999999999f", "precision 999,999,999")):
        text = _spec_text("camera.focal_length", fmt)
        try:
            compile_text(text, "big.psynth", pilot=False)
        except SpecError as exc:
            (diag,) = exc.diagnostics
            assert diag.code == "invalid-format" and words in diag.message
            assert (diag.line, diag.col) == (6, text.splitlines()[5].index(":") + 2)
        else:
            raise AssertionError(f"{fmt!r} passed check")
