"""The unified diff and its strict applier: round trips (hypothesis), agreement with GNU patch,
and refusal of diffs that do not match."""

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psynth_data.code_diff import PatchError, apply_unified_diff, unified_diff

LINES = st.lists(st.sampled_from(["a = 1", "b = 2", "", "x = {'k': 3}", "# c", "def f():", "    return 0"]), max_size=30)


def _text(lines, newline_at_end):
    text = "\n".join(lines)
    return text + "\n" if (lines and newline_at_end) else text


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, st.booleans(), st.booleans(), st.integers(0, 4))
def test_diff_applies_and_gives_the_after_text(before, after, nl_before, nl_after, context):
    a, b = _text(before, nl_before), _text(after, nl_after)
    diff = unified_diff(a, b, "base.py", "variant.py", context=context)
    assert apply_unified_diff(a, diff) == b
    assert (diff == "") == (a == b)


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@settings(max_examples=40, deadline=None)
@given(LINES, LINES, st.booleans(), st.booleans())
def test_gnu_patch_agrees(tmp_path_factory, before, after, nl_before, nl_after):
    a, b = _text(before, nl_before), _text(after, nl_after)
    diff = unified_diff(a, b, "base.py", "variant.py")
    if not diff:
        return
    folder = tmp_path_factory.mktemp("patch")
    (folder / "base.py").write_text(a)
    done = subprocess.run(["patch", "--fuzz=0", "-s", "-o", "out.py", "base.py"], input=diff, text=True,
                          cwd=folder, capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (folder / "out.py").read_text() == b == apply_unified_diff(a, diff)


def test_a_diff_that_does_not_match_is_refused():
    diff = unified_diff("a\nb\nc\n", "a\nB\nc\n")
    assert apply_unified_diff("a\nb\nc\n", diff) == "a\nB\nc\n"
    with pytest.raises(PatchError, match="line 2"):
        apply_unified_diff("a\nX\nc\n", diff)
    with pytest.raises(PatchError):
        apply_unified_diff("a\nb\nc\n", "@@ -1 +1 @@\n-a\n+b\nnot a diff line\n")
