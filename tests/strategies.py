"""Hypothesis strategies that build random syntax trees from every construct of the grammar.

The trees are syntactically valid, not necessarily meaningful: they exercise the parser and the
formatter (round trip, idempotence), not the checker.
"""

from hypothesis import strategies as st

from psynth_spec import nodes as n

KEYWORDS = {"dataset", "require", "caption", "weight", "when", "clamp", "one_of", "not", "in",
            "and", "or", "true", "false"}
names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
paths = st.lists(names, min_size=1, max_size=3).map(lambda parts: n.Path(tuple(parts)))


@st.composite
def numbers(draw):
    if draw(st.booleans()):
        value = draw(st.integers(-10**6, 10**9))
        text = str(value)
        if value >= 1000 and draw(st.booleans()):
            text = f"{value:_}"
        return n.Number(value, True, text)
    value = draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    text = repr(value)
    if "e" not in text and "." not in text:
        text += ".0"
    return n.Number(float(text), False, text)


strings = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(
    lambda v: n.String(v, '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
)
bools = st.booleans().map(n.Bool)
resolutions = st.tuples(st.integers(1, 9999), st.integers(1, 9999)).map(lambda wh: n.Resolution(*wh))
scalars = st.one_of(numbers(), strings, bools, paths, resolutions)
values = st.one_of(scalars, st.lists(scalars, max_size=4).map(lambda xs: n.ListValue(tuple(xs))))

distributions = st.one_of(
    paths.map(n.OneOfNode),
    st.lists(st.one_of(numbers(), paths, bools), max_size=4).map(lambda xs: n.OneOfList(n.ListValue(tuple(xs)))),
    st.lists(
        st.builds(n.WeightEntry, st.one_of(paths, numbers(), bools), numbers()), max_size=4
    ).map(lambda es: n.OneOfWeighted(tuple(es))),
    st.builds(n.Call, names.map(n.Name), st.lists(numbers(), max_size=3).map(tuple)),
)

atoms = st.one_of(
    st.builds(n.Comparison, paths, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.one_of(numbers(), bools, paths)),
    st.builds(n.Membership, paths, st.one_of(paths, st.lists(paths, max_size=3).map(lambda xs: n.ListValue(tuple(xs))))),
    paths.map(n.Truthy),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        inner.map(n.NotCond),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: n.AndCond(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: n.OrCond(tuple(xs))),
    ),
    max_leaves=6,
)
optional_conditions = st.one_of(st.none(), conditions)

settings = st.builds(n.Setting, names.map(n.Name), values)
statements = st.one_of(
    settings,
    st.builds(n.Block, names.map(n.Name), st.lists(settings, max_size=3).map(tuple)),
    st.builds(
        n.Sample, paths, distributions,
        st.one_of(st.none(), st.builds(n.Clamp, numbers(), numbers())), optional_conditions,
    ),
    st.builds(n.Fix, paths, values, optional_conditions),
    st.builds(n.Require, conditions, optional_conditions),
    st.builds(
        n.Caption, st.one_of(st.none(), names.map(n.Name)), st.one_of(st.none(), numbers()), strings
    ),
)
datasets = st.builds(n.Dataset, names.map(n.Name), st.lists(statements, max_size=8).map(tuple))
