"""The built-in `dense` caption: fluent English naming every stated, visible element of a sample.

Every spec gets a `caption_dense` column without writing a template (a spec that writes its own
`caption dense "..."` keeps its own). Sentences, in order, each left out when it has nothing to
say:

    subject    shape, material (roughness, IOR, subsurface, rotation when stated), texture
    liquid     its form and viscosity (stated and not none)
    gas        its density (stated and not none)
    lighting   setup (always), colour temperature, exposure, key azimuth (when stated)
    camera     angle, framing (when stated), lens, focal length (a perspective lens: always; an
               orthographic view or a panorama has none to state), aperture with depth of
               field, movement
    look       style, colour grade (not neutral), palette, backdrop, post effects over 0.05

Numbers print through the same vectorized formatting as templates. Each sentence has a few
wordings, and the lighting/camera and liquid/gas pairs swap order; a sample draws one of
`STRUCTURES` by a uniform of stream `dense:structure` (deterministic: a row depends only on the
seed, its id and its values). Built as Polars column expressions: one table lookup per axis, one
concatenation per row, no Python per row.
"""

import numpy as np
import polars as pl

from psynth_spec.caption_words import stem, words
from psynth_spec.captions import concept_texts, gather_text, placeholder_text
from psynth_spec.counters import uniforms
from psynth_spec.english import article
from psynth_spec.spec import Placeholder, Spec

DENSE_COLUMN = "caption_dense"
NONE_CONCEPTS = {"none"}  # concepts that put nothing on screen
_QUIET = {"post.grade": {"neutral"}, "camera.lens": {"perspective"}, "camera.movement": {"static"}}
_POST = (("post.bloom", "bloom"), ("post.vignette", "vignette"), ("post.grain", "film grain"),
         ("post.chromatic_aberration", "chromatic aberration"))
SALIENT_POST = 0.05  # post effects weaker than this are not worth a word


def _ends_with(label: str, nouns: tuple[str, ...]) -> bool:
    ws = words(label)
    return bool(ws) and any(stem(ws[-1]).endswith(n) for n in nouns)


def light_phrase(label: str) -> str:
    """'three-point' -> 'three-point lighting'; 'candlelight', 'screen glow' stay as they are."""
    return label if _ends_with(label, ("light", "glow")) else f"{label} lighting"


def lens_phrase(text) -> str:
    """' through a fisheye lens'; an orthographic lens is a view, not glass with a focal length:
    ' in an orthographic view, without perspective'."""
    if text.projection == "ORTHO":
        return f" in {text.article} {text.label} view, without perspective"
    return f" through {text.article} {text.label} lens"


def shot_phrase(label: str) -> str:
    """'eye-level' -> 'an eye-level shot'; 'three-quarter view', 'wide shot' keep their noun."""
    last = label.split()[-1].lower() if label.split() else ""
    phrase = label if last in ("shot", "view", "angle") or last.endswith("close-up") else f"{label} shot"
    return f"{article(phrase)} {phrase}"


def form_phrase(label: str) -> str:
    """'pool' -> 'a pool'; plural forms ('droplets') take no article."""
    return label if label.endswith("s") and not label.endswith("ss") else f"{article(label)} {label}"


class _Columns:
    """Text columns of one batch, by axis: concept phrases and formatted numbers (null = absent)."""

    def __init__(self, spec: Spec, ids: np.ndarray, batch):
        self.spec, self.ids, self.batch = spec, ids, batch
        self.stated = {st.axis for st in spec.statements}
        self.known = {c.axis for c in spec.columns}

    def concept(self, axis: str, phrase=lambda t: t.label, stated_only: bool = True) -> pl.Series | None:
        """A phrase per row from the concept's caption text; null for none-like concepts."""
        if axis not in self.known or (stated_only and axis not in self.stated):
            return None
        column = self.batch(axis)
        quiet = NONE_CONCEPTS | _QUIET.get(axis, set())
        texts = concept_texts(self.spec, axis, column.categories)  # the templates' texts and fallback
        table = [None if c in quiet else phrase(text) for c, text in zip(column.categories, texts)]
        # categorical: the rows are regrouped by sentence structure, and moving u32 codes is
        # far cheaper than moving strings (they become text once, in the final concatenation)
        index = pl.Series(column.values, dtype=pl.UInt32)
        if column.valid is not None and not column.valid.all():
            index = pl.select(pl.when(pl.Series(column.valid)).then(index)).to_series()
        return pl.Series(table, dtype=pl.Categorical).gather(index)

    def number(self, axis: str, fmt: str, stated_only: bool = True) -> pl.Series | None:
        if axis not in self.known or (stated_only and axis not in self.stated):
            return None
        column = self.batch(axis)
        p = Placeholder(axis=axis, column=axis.replace(".", "_"), format=fmt)
        return placeholder_text(self.spec, self.ids, p, column)

    def flag(self, axis: str) -> np.ndarray | None:
        if axis not in self.known:
            return None
        column = self.batch(axis)
        return column.values.astype(bool) & column.valid_mask()

    def values(self, axis: str) -> np.ndarray | None:
        if axis not in self.known or axis not in self.stated:
            return None
        column = self.batch(axis)
        return np.where(column.valid_mask(), column.values, np.nan)


def _lit(text: str) -> pl.Expr:
    return pl.lit(text, dtype=pl.String)


def _opt(*parts) -> pl.Expr:
    """Concatenation that is "" when any part is null or missing (an optional phrase)."""
    if any(p is None for p in parts):
        return _lit("")
    return pl.concat_str([_lit(p) if isinstance(p, str) else p for p in parts]).fill_null("")


def _cat(*parts) -> pl.Expr | None:
    """Concatenation that is null where a part is null, None when a part is missing (the
    registry has no such axis): a sentence that needs them all."""
    if any(p is None for p in parts):
        return None
    return pl.concat_str([_lit(p) if isinstance(p, str) else p for p in parts])


def _when(condition: pl.Expr, phrase: pl.Expr | None) -> pl.Expr:
    """`phrase` where `condition` holds, "" elsewhere (and where the phrase is missing)."""
    if phrase is None:
        return _lit("")
    return pl.when(condition).then(phrase).otherwise(_lit("")).fill_null("")


def _upper_first(text: str) -> str:
    """A phrase that starts a sentence (built once per concept, not per row)."""
    return text[:1].upper() + text[1:]


def dense_caption(spec: Spec, ids: np.ndarray, batch) -> pl.Series:
    """The `caption_dense` column for a batch of samples."""
    n = len(ids)
    cols = _Columns(spec, ids, batch)
    data: dict[str, pl.Series] = {}

    def put(name: str, series) -> pl.Expr | None:
        if series is None:
            return None
        data[name] = series.alias(name) if isinstance(series, pl.Series) else pl.Series(name, series)
        return pl.col(name).cast(pl.String) if data[name].dtype == pl.Categorical else pl.col(name)

    shape = put("shape", cols.concept("geometry.shape", stated_only=False))
    a_shape = put("a_shape", cols.concept("geometry.shape", lambda t: f"{t.article} {t.label}", stated_only=False))
    asset = put("asset", cols.concept("geometry.asset"))
    if asset is not None:  # a library asset is named by its label, not by the shape axis it leaves unused
        shape = pl.coalesce(asset, shape)
        a_shape = pl.coalesce(put("a_asset", cols.concept("geometry.asset", lambda t: f"{t.article} {t.label}")), a_shape)
    material = put("material", cols.concept("material", stated_only=False))
    a_material = put("a_material", cols.concept("material", lambda t: _upper_first(f"{t.article} {t.label}"), stated_only=False))
    details = [
        put("rough", _prefixed(cols.number("material.roughness", ".2f"), "roughness ")),
        put("ior", _prefixed(cols.number("material.ior", ".2f"), "an index of refraction of ")),
        put("sss", _prefixed(cols.number("material.subsurface", ".2f"), "subsurface scattering of ")),
    ]
    details = [d for d in details if d is not None]
    detail = (pl.when(pl.concat_str(details, separator=", ", ignore_nulls=True) != "")
              .then(pl.concat_str([_lit(" ("), pl.concat_str(details, separator=", ", ignore_nulls=True), _lit(")")]))
              .otherwise(_lit(""))) if details else _lit("")
    pattern = put("pattern", cols.concept("texture.pattern", lambda t: f"{t.article} {t.label}"))
    scale = put("scale", cols.number("texture.scale", ".1f"))
    texture = _lit("")
    if pattern is not None:
        texture = _opt(" with ", pattern, " texture", _opt(" at scale ", scale) if scale is not None else "")
    levels = cols.values("geometry.subdivision")
    subdivided = _lit("")
    if levels is not None:
        times = ["", "once", "twice", "three times", "four times"]
        codes = np.clip(np.nan_to_num(levels, nan=0.0), 0, len(times) - 1).astype(np.int64)
        put("subdivided", gather_text([None, *(f", subdivided {w}" for w in times[1:])], codes, None))
        subdivided = pl.col("subdivided").cast(pl.String).fill_null("")
    rotation = put("rotation", cols.number("geometry.rotation", ".0f"))
    turned = _opt(", turned ", rotation, " degrees about its vertical axis") if rotation is not None else _lit("")

    subject_variants = [
        _cat(a_material, " ", shape, detail, texture, subdivided, turned, "."),
        _cat("The subject is ", a_shape, " made of ", material, detail, texture, subdivided, turned, "."),
        _cat("This image shows ", a_shape, " in ", material, detail, texture, subdivided, turned, "."),
    ]

    liquid = put("liquid", cols.concept("liquid"))
    liquid_sentence = None
    if liquid is not None:
        form = put("form", cols.concept("liquid.form", lambda t: form_phrase(t.label), stated_only=False))
        visc = put("visc", cols.number("liquid.viscosity", ".3f"))
        viscosity = _opt(" with a viscosity of ", visc, " Pa·s") if visc is not None else _lit("")
        liquid_sentence = [
            _cat(put("Liquid", cols.concept("liquid", lambda t: _upper_first(t.label))), " forms ", form, viscosity,
                 " near the ", shape, "."),
            _cat("The scene includes ", form, " of ", liquid, viscosity, "."),
        ]
    gas = put("gas", cols.concept("gas", lambda t: f"{t.article} {t.label}"))
    gas_sentence = None
    if gas is not None:
        dens = put("density", cols.number("gas.density", ".2f"))
        density = _opt(" with a density of ", dens) if dens is not None else _lit("")
        gas_sentence = [
            _cat(put("Gas", cols.concept("gas", lambda t: _upper_first(f"{t.article} {t.label}"))), " effect", density,
                 " surrounds the ", shape, "."),
            _cat("The ", shape, " is wrapped in ", gas, " effect", density, "."),
            _cat("Around the ", shape, " there is ", gas, " effect", density, "."),
        ]

    light = put("light", cols.concept("lighting.setup", lambda t: light_phrase(t.label), stated_only=False))
    kelvin = put("kelvin", cols.number("lighting.kelvin", ".0f"))
    exposure = put("exposure", cols.number("lighting.exposure", "+.1f"))
    azimuth = put("azimuth", cols.number("lighting.key_azimuth", ".0f"))
    at_kelvin = _opt(" at ", kelvin, " K") if kelvin is not None else _lit("")
    with_exposure = _opt(", with an exposure of ", exposure, " EV") if exposure is not None else _lit("")
    key = _opt(", the key light at an azimuth of ", azimuth, " degrees") if azimuth is not None else _lit("")
    light_variants = [
        _cat("It is lit by ", light, at_kelvin, key, with_exposure, "."),
        _cat(put("Light", cols.concept("lighting.setup", lambda t: _upper_first(light_phrase(t.label)), stated_only=False)),
             at_kelvin, " illuminates the scene", key, with_exposure, "."),
        _cat("The scene is lit with ", light, at_kelvin, key, with_exposure, "."),
    ]

    shot = put("shot", cols.concept("camera.angle", lambda t: shot_phrase(t.label), stated_only=False))
    focal = put("focal", cols.number("camera.focal_length", ".0f", stated_only=False))
    lens = put("lens", cols.concept("camera.lens", lens_phrase))
    through = lens.fill_null("") if lens is not None else _lit("")
    # the focal length shapes only a perspective picture: an orthographic or panoramic row says
    # its projection (the lens phrase) and no millimetres
    projection = put("projection", cols.concept("camera.lens", lambda t: t.projection, stated_only=False))
    perspective = (projection.is_null() | (projection == "PERSP")) if projection is not None else pl.lit(True)
    with_focal = _when(perspective, _cat(" with a focal length of ", focal, " mm"))
    at_focal = _when(perspective, _cat(" at ", focal, " mm focal length"))
    framing = put("framing", cols.concept("camera.framing", lambda t: f", framed as {t.article} {t.label},"))
    if framing is not None:  # the framing the camera distance was solved for (build.framing)
        through = pl.concat_str([framing.fill_null(""), through])
    fstop = cols.number("camera.fstop", ".1f", stated_only=False)
    dof_flag = cols.flag("camera.dof")
    dof = _lit("")
    if fstop is not None and dof_flag is not None and dof_flag.any():
        put("fstop", pl.select(pl.when(pl.Series(dof_flag)).then(fstop)).to_series())
        dof = _opt(", with depth of field at f/", pl.col("fstop"))
    camera_variants = [
        _cat("It is ", shot, " of the ", shape, through, with_focal, dof, "."),
        _cat("The camera takes ", shot, " of the ", shape, through, at_focal, dof, "."),
    ]
    movement = put("movement", cols.concept("camera.movement", lambda t: f"{t.article} {t.label}"))
    movement_sentence = _cat("The camera makes ", movement, " move.") if movement is not None else None

    style = put("style", cols.concept("style", lambda t: f"rendered in {t.article} {t.label} style"))
    grade = put("grade", cols.concept("post.grade", lambda t: f"finished with {t.article} {t.label} colour grade"))
    look_parts = [p for p in (style, grade) if p is not None]
    look_sentence = None
    if look_parts:
        joined = pl.concat_str(look_parts, separator=" and ", ignore_nulls=True)
        look_sentence = pl.when(joined != "").then(pl.concat_str([_lit("The image is "), joined, _lit(".")]))
    palette_sentence = None
    if any(a in cols.stated for a in ("color.harmony", "color.mood", "color.base_hue")):
        harmony = put("harmony", cols.concept("color.harmony", stated_only=False))
        mood = put("mood", cols.concept("color.mood", stated_only=False))
        hue = put("hue", cols.number("color.base_hue", ".0f", stated_only=False))
        palette_sentence = _cat("The palette is ", harmony, " with ", mood, " colours around a base hue of ", hue, " degrees.")
    backdrop = put("backdrop", cols.concept("scene.background", lambda t: f"{t.article} {t.label}"))
    backdrop_sentence = _cat("The backdrop is ", backdrop, ".") if backdrop is not None else None
    effects = []
    for axis, name in _POST:
        values = cols.values(axis)
        if values is None:
            continue
        text = cols.number(axis, ".2f")
        salient = pl.Series(np.nan_to_num(values, nan=0.0) > SALIENT_POST)
        effects.append(put(f"fx_{name}", pl.select(pl.when(salient).then(pl.concat_str([_lit(f"{name} "), text]))).to_series()))
    post_sentence = None
    if effects:
        joined = pl.concat_str(effects, separator=", ", ignore_nulls=True)
        post_sentence = pl.when(joined != "").then(pl.concat_str([_lit("Post-processing adds "), joined, _lit(".")]))

    rest = [movement_sentence, look_sentence, palette_sentence, backdrop_sentence, post_sentence]
    shapes = []
    for subject_v, element_v, gas_v, light_v, camera_v, swap_elements, swap_scene in STRUCTURES:
        elements = [_variant(liquid_sentence, element_v), _variant(gas_sentence, gas_v)]
        scene = [_variant(light_variants, light_v), _variant(camera_variants, camera_v)]
        ordered = [_variant(subject_variants, subject_v), *(elements[::-1] if swap_elements else elements),
                   *(scene[::-1] if swap_scene else scene), *rest]
        ordered = [e for e in ordered if e is not None]
        shapes.append(pl.concat_str(ordered, separator=" ", ignore_nulls=True) if ordered else _lit(""))
    u = uniforms(spec.seed, "dense:structure", ids)
    choice = np.minimum((u * len(STRUCTURES)).astype(np.int64), len(STRUCTURES) - 1)
    frame = pl.DataFrame(list(data.values())) if data else pl.DataFrame({"_": np.zeros(n, dtype=np.int8)})
    return _by_group(frame, choice, shapes).alias(DENSE_COLUMN)


# Sentence structures a sample draws from (one uniform of stream `dense:structure`): the wording
# of the subject, liquid, gas, lighting and camera sentences, and whether the liquid/gas and the
# lighting/camera pairs swap. Whole structures (not each sentence apart) so that a batch is built
# in a few groups of rows: one string concatenation per row instead of one per wording.
STRUCTURES = (
    (0, 0, 0, 0, 0, False, False),
    (1, 1, 1, 1, 1, True, True),
    (2, 0, 2, 2, 0, False, True),
    (0, 1, 1, 1, 1, True, False),
    (1, 0, 0, 2, 0, False, False),
    (2, 1, 2, 0, 1, True, True),
)


def _variant(variants: list | None, k: int) -> pl.Expr | None:
    """Wording `k` of a sentence (wrapping around), skipping wordings that cannot be built."""
    usable = [v for v in variants or () if v is not None]
    return usable[k % len(usable)] if usable else None


def _by_group(frame: pl.DataFrame, choice: np.ndarray, exprs: list[pl.Expr]) -> pl.Series:
    """Evaluate `exprs[choice[i]]` for each row i, each expression only over the rows that chose
    it (a stable grouping, one slice per expression, then a gather back into row order)."""
    groups = [np.flatnonzero(choice == k) for k in range(len(exprs))]
    order = np.concatenate(groups)
    ordered = frame.select(pl.all().gather(pl.Series(order))) if len(order) else frame
    pieces, start = [], 0
    for k, rows in enumerate(groups):
        if len(rows):
            # lazy: a phrase shared by sentences is built once; with_columns broadcasts literals
            part = ordered.slice(start, len(rows)).lazy().with_columns(exprs[k].alias("_text")).select("_text")
            pieces.append(part.collect().to_series())
            start += len(rows)
    if not pieces:
        return pl.Series("text", [], dtype=pl.String)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pl.concat(pieces).gather(pl.Series(inverse))


def _prefixed(series: pl.Series | None, prefix: str) -> pl.Series | None:
    if series is None:
        return None
    return pl.select(pl.concat_str([_lit(prefix), pl.lit(series)])).to_series()
