"""Fuzz: mutated specs and random bytes never raise anything but the project's own errors."""

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psynth_spec.compile import compile_text
from psynth_spec.errors import PsynthError
from psynth_spec.parser import decode_source

SPECS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "specs").glob("*.psynth"))]
TOKENS = ["{", "}", "(", ")", "[", "]", ",", ":", "~", "=", "==", "<", "in", "not", "and", "or", "when",
          "require", "caption", "one_of", "clamp", "\"", "\\", "#", "-", "1e9", "0", "-1", "x", "true",
          "material", "metal", "glass.clear", "{material|label}", "{{", "}}", "\n", "  ", "weight", "é", "\x00"]


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        pos = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op == 1:
            chars[pos:pos] = list(rng.choice(TOKENS))
        elif op == 2 and chars:
            end = min(len(chars), pos + rng.randint(1, 40))
            chars[pos:pos] = chars[pos:end]
        else:
            lines = "".join(chars).split("\n")
            rng.shuffle(lines)
            chars = list("\n".join(lines))
    return "".join(chars)


def compile_or_own_error(data: bytes) -> None:
    try:
        compile_text(decode_source(data, "fuzz.psynth"), "fuzz.psynth", pilot=False)
    except PsynthError:
        pass


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.sampled_from(range(len(SPECS))))
def test_mutated_specs_raise_only_spec_errors(seed, index):
    compile_or_own_error(mutate(SPECS[index], random.Random(seed)).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_spec_errors(data):
    compile_or_own_error(data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="".join(set("".join(TOKENS))) + "abcdefgz_.0123456789 ", max_size=200))
def test_random_token_soup_raises_only_spec_errors(text):
    compile_or_own_error(("dataset d {\n" + text + "\n}").encode())
