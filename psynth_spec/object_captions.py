"""Captions of multi-object scenes: the objects enumerated with counts.

"three glass spheres and a copper gear": the `{scene.objects|objects}` placeholder of caption
templates, and the opening of the built-in dense caption in rows with more than one object.
Objects of the same material and shape are counted
together, in the order they first appear (object 0, the subject, first); an object that drew a
library asset (`objects_geometry_asset`) is named by the asset's label instead of its shape. Vectorized over the
samples table's list columns (`objects_material`, `objects_geometry_shape`): one explode, one
group-by, one join, no Python per row.
"""

import polars as pl

from psynth_spec.english import article
from psynth_spec.spec import ObjectsSpec, Spec

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")
_AXES = ("material", "geometry.shape")
ASSET_AXIS = "geometry.asset"


def plural(label: str) -> str:
    """'sphere' -> 'spheres', 'box' -> 'boxes', 'body' -> 'bodies' (the last word only)."""
    head, _, last = label.rpartition(" ")
    if last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def count_words(count: int) -> str:
    return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)


def _labels(spec: Spec, axis: str, values: pl.Series) -> pl.Series:
    """Caption labels of the concept values (the default for a null entry)."""
    known = spec.concept_text.get(axis, {})
    default = next(c.default for c in spec.columns if c.axis == axis)
    keys = values.fill_null(str(default))
    table = {k: (known[k].label if k in known else k.rsplit(".", 1)[-1].replace("_", " ")) for k in keys.unique()}
    return keys.replace_strict(table, return_dtype=pl.String)


def enumerate_objects(spec: Spec, objects: list[pl.Series], batch=None) -> pl.Series | None:
    """Per row, the objects with counts ("three glass spheres and a copper gear"). A
    single-object spec has no list columns: with `batch` the subject alone ("a glass sphere"),
    else None."""
    if spec.objects is None or not objects:
        if batch is None:
            return None
        from psynth_spec.sampler import column_series as series

        columns = {axis: series("x", batch(axis)).cast(pl.String).reshape((-1, 1)).cast(pl.List(pl.String)) for axis in _AXES}
        assets = None
    else:
        by_name = {s.name: s for s in objects}
        columns = {axis: by_name[ObjectsSpec.column(axis.replace(".", "_"))] for axis in _AXES}
        assets = by_name.get(ObjectsSpec.column(ASSET_AXIS.replace(".", "_")))
    rows = len(columns["material"])
    frame = pl.DataFrame({"row": pl.int_range(0, rows, eager=True), "m": columns["material"], "s": columns["geometry.shape"]})
    flat = frame.explode(["m", "s"])
    flat = flat.with_columns(m=_labels(spec, "material", flat["m"]), s=_labels(spec, "geometry.shape", flat["s"]))
    if assets is not None and spec.concept_text.get(ASSET_AXIS):
        drawn = assets.cast(pl.List(pl.String)).explode()
        known = spec.concept_text[ASSET_AXIS]
        table = {a: known[a].label if a in known else a for a in drawn.drop_nulls().unique()}
        label = drawn.replace_strict(table, default=None, return_dtype=pl.String)
        flat = flat.with_columns(s=pl.when(label.is_not_null()).then(label).otherwise(pl.col("s")))
    groups = flat.group_by(["row", "m", "s"], maintain_order=True).agg(n=pl.len())
    words = {n: count_words(n) for n in groups["n"].unique()}
    articles = {m: article(m) for m in groups["m"].unique()}
    plurals = {s: plural(s) for s in groups["s"].unique()}
    one = pl.concat_str([pl.col("m").replace_strict(articles, return_dtype=pl.String), pl.col("m"), pl.col("s")], separator=" ")
    many = pl.concat_str(
        [pl.col("n").replace_strict(words, return_dtype=pl.String), pl.col("m"),
         pl.col("s").replace_strict(plurals, return_dtype=pl.String)], separator=" ")
    phrases = groups.with_columns(p=pl.when(pl.col("n") == 1).then(one).otherwise(many))
    listed = phrases.group_by("row", maintain_order=True).agg(pl.col("p"))
    joined = listed.select(
        pl.when(pl.col("p").list.len() == 1)
        .then(pl.col("p").list.first())
        .otherwise(pl.concat_str([pl.col("p").list.head(pl.col("p").list.len() - 1).list.join(", "),
                                  pl.col("p").list.last()], separator=" and "))
    ).to_series()
    return joined.alias("objects")


def with_objects(spec: Spec, caption: pl.Series, objects: list[pl.Series]) -> pl.Series:
    """`caption` opened by "The scene holds <objects>." where a row has more than one object."""
    listed = enumerate_objects(spec, objects)
    if listed is None:
        return caption
    several = objects[0].list.len() > 1
    sentence = pl.concat_str([pl.lit("The scene holds "), pl.lit(listed), pl.lit(". "), pl.lit(caption)])
    return pl.select(pl.when(pl.lit(several)).then(sentence).otherwise(pl.lit(caption))).to_series().alias(caption.name)
