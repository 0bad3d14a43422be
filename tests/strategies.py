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
    st.builds(
        n.Variants,
        st.lists(st.builds(n.VariantAxis, paths, st.one_of(
            st.none(), paths, st.lists(st.one_of(numbers(), paths, bools), max_size=3).map(lambda xs: n.ListValue(tuple(xs))),
        )), min_size=1, max_size=3).map(tuple),
        st.one_of(st.none(), st.builds(n.VariantCount, names.map(n.Name), numbers())),
    ),
)
datasets = st.builds(n.Dataset, names.map(n.Name), st.lists(statements, max_size=8).map(tuple))


# ---------------------------------------------------------------- semantically valid specs
def _fmt_number(value: float) -> str:
    return repr(round(value, 4))


@st.composite
def valid_spec_texts(draw):
    """Text of a spec that must check: registry axes, in-range distributions, earlier-axis `when`s."""
    from psynth_spec.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    axes = draw(st.lists(st.sampled_from([a for a in taxonomy.axes if a.type != "asset"]), unique_by=lambda a: a.path, max_size=10))
    lines = [f"dataset {draw(names)} {{", f"    samples {draw(st.integers(1, 10**9))}"]
    if draw(st.booleans()):
        lines.append(f"    seed {draw(st.integers(0, 2**40))}")
    stated = []
    for axis in axes:
        if axis.type == "category":
            leaves = [taxonomy.relative(axis, leaf) for leaf in taxonomy.leaves(axis.domain)]
            form = draw(st.sampled_from(["node", "list", "weights", "fixed"]))
            if form == "node":
                dist = f"~ one_of({axis.domain})"
            elif form == "fixed":
                dist = f"= {draw(st.sampled_from(leaves))}"
            else:
                chosen = draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=4, unique=True))
                if form == "list":
                    dist = "~ one_of [" + ", ".join(chosen) + "]"
                else:
                    weights = [draw(st.integers(1, 9)) for _ in chosen]
                    dist = "~ one_of { " + ", ".join(f"{c}: {w}" for c, w in zip(chosen, weights)) + " }"
        elif axis.type == "bool":
            dist = draw(st.sampled_from(["~ bernoulli(0.3)", "= true", "= false", "~ one_of { true: 1, false: 3 }"]))
        else:
            lo, hi = axis.range
            a = draw(st.floats(lo, hi))
            b = draw(st.floats(lo, hi))
            a, b = sorted((a, b))
            if axis.type == "int":
                dist = f"~ randint({int(lo)}, {int(min(hi, lo + 5))})"
            elif b - a > 1e-3:
                kind = draw(st.sampled_from(["uniform", "normal", "triangular"]))
                if kind == "uniform":
                    dist = f"~ uniform({_fmt_number(a)}, {_fmt_number(b)})"
                elif kind == "triangular":
                    dist = f"~ triangular({_fmt_number(a)}, {_fmt_number((a + b) / 2)}, {_fmt_number(b)})"
                else:
                    dist = f"~ normal({_fmt_number((a + b) / 2)}, {_fmt_number((b - a) / 4)}) clamp({_fmt_number(a)}, {_fmt_number(b)})"
            else:
                dist = f"= {_fmt_number(a)}"
        when = ""
        if stated and draw(st.booleans()):
            ref = draw(st.sampled_from(stated))
            if ref.type == "bool":
                when = f" when {ref.path}"
            elif ref.type == "category":
                when = f" when {ref.path} in {ref.domain}"
            else:
                when = f" when {ref.path} >= {_fmt_number(ref.range[0])}"
        lines.append(f"    {axis.path} {dist}{when}")
        stated.append(axis)
    always = [a for a in taxonomy.axes if a.type == "category" and a.path not in {x.path for x in axes}]
    if always:
        chosen = draw(st.sampled_from(always))
        lines.append(f'    caption "{{{chosen.path}|a}} # {{{{literal}}}}"')
    lines.append("}")
    return "\n".join(lines) + "\n"
