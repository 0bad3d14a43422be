"""Build validated `Spec` objects directly (no parser) for sampler and caption tests."""

import re

from psynth_spec.spec import (
    AxisStatement,
    CaptionTemplate,
    Choice,
    ConceptText,
    Literal_,
    Placeholder,
    RegistryColumn,
    Require,
    Spec,
)

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_.]*)(?::([^}|]*))?(?:\|([a-z]+))?\}")


def column_of(axis: str) -> str:
    return axis.replace(".", "_")


def stmt(axis: str, type_: str, dist, *, clamp=None, when=None, line: int = 1) -> AxisStatement:
    return AxisStatement(
        axis=axis, column=column_of(axis), type=type_, dist=dist, clamp=clamp, when=when, line=line
    )


def choice(values, weights=None) -> Choice:
    values = tuple(values)
    weights = tuple(weights) if weights is not None else (1.0,) * len(values)
    total = sum(weights)
    return Choice(values=values, weights=tuple(w / total for w in weights))


def template(text: str, name: str = "caption", weight: float = 1.0, line: int = 1) -> CaptionTemplate:
    """A caption template from a `{axis:format|filter}` string (`{{`/`}}` are literal braces)."""
    segments: list = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > pos:
            segments.append(Literal_(text=text[pos : match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            segments.append(Literal_(text=token[0]))
        else:
            axis, fmt, flt = match.groups()
            segments.append(Placeholder(axis=axis, column=column_of(axis), format=fmt or None, filter=flt))
        pos = match.end()
    if pos < len(text):
        segments.append(Literal_(text=text[pos:]))
    column = "caption" if name == "caption" else f"caption_{name}"
    return CaptionTemplate(name=name, column=column, weight=weight, segments=tuple(segments), line=line)


def concept(label: str, *synonyms: str) -> ConceptText:
    return ConceptText(label=label, synonyms=synonyms, article="an" if label[0] in "aeiou" else "a")


def _default_texts(statements) -> dict[str, dict[str, ConceptText]]:
    out: dict[str, dict[str, ConceptText]] = {}
    for s in statements:
        if s.type == "category" and isinstance(s.dist, Choice):
            out[s.axis] = {
                str(v): concept(str(v).rsplit(".", 1)[-1].replace("_", " ") + " label")
                for v in s.dist.values
            }
    return out


def make_spec(
    statements,
    *,
    requires=(),
    captions=(),
    samples: int = 1000,
    shard_size: int = 100,
    seed: int = 7,
    extra_columns=(),
    concept_text=None,
    dataset: str = "test_set",
    **fields,
) -> Spec:
    """A Spec whose registry is the stated axes plus `extra_columns` (RegistryColumn objects)."""
    statements = tuple(statements)
    columns = tuple(
        RegistryColumn(axis=s.axis, column=s.column, type=s.type, stated=True) for s in statements
    ) + tuple(extra_columns)
    texts = _default_texts(statements)
    texts.update(concept_text or {})
    return Spec(
        dataset=dataset,
        version_id="test0000",
        taxonomy_version="test",
        taxonomy_hash="test",
        source="<test>",
        samples=samples,
        shard_size=shard_size,
        shards_per_partition=1,
        seed=seed,
        statements=statements,
        requires=tuple(r if isinstance(r, Require) else Require(cond=r, line=1) for r in requires),
        columns=columns,
        captions=tuple(captions),
        concept_text=texts,
        **fields,
    )
