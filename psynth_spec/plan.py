"""What a spec will produce before anything renders: partitions, distributions, bytes, hours.

Distributions come from a pilot sample (ids 0..n-1, through `when` and `require`, exactly as the
dataset will draw them); storage and render time from `cost_model`, whose constants say which
were measured and which are assumptions.
"""

from pydantic import BaseModel, ConfigDict

from psynth_spec import cost_model
from psynth_spec.shares import value_shares
from psynth_spec.spec import Spec

PLAN_PILOT_SAMPLES = 20_000


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Share(_Model):
    value: str  # a concept path relative to the axis domain, or "(unset)" for null
    probability: float


class AxisDistribution(_Model):
    axis: str
    column: str
    stated: bool
    shares: tuple[Share, ...]  # most likely first


class StorageItem(_Model):
    kind: str  # image, passes, caption, metadata, scene_code, usd, tar_overhead, samples, qc
    bytes_per_sample: float
    total_bytes: float


class CaptionStats(_Model):
    """Length of one caption column over the pilot: words (split on spaces) and characters."""

    column: str
    words_min: int
    words_median: float
    words_p95: float
    words_max: int
    chars_mean: float


class RenderEstimate(_Model):
    engines: dict[str, float]  # engine -> share of samples
    frames_per_sample: int  # video frames (0 without video)
    views_per_sample: int  # stills: one per view (0 when nothing needs a still)
    variants_per_sample: int  # one more still per variant
    images_per_sample: int  # renders: views + video frames + variants
    simulation_cpu_seconds_per_sample: float = 0.0
    """Of the CPU seconds, what `render { simulate true }` adds (solver, meshing, id renders)."""
    cpu_seconds_per_sample: float
    gpu_seconds_per_sample: float
    cpu_hours: float
    gpu_hours: float
    assumptions: str


class Plan(_Model):
    dataset: str
    version_id: str
    samples: int
    shard_size: int
    shards: int
    last_shard_samples: int
    shards_per_partition: int
    partitions: int
    last_partition_shards: int
    pilot_samples: int
    acceptance: float  # fraction of round-0 draws every require accepts
    distributions: tuple[AxisDistribution, ...]
    captions: tuple[CaptionStats, ...]
    storage: tuple[StorageItem, ...]
    total_bytes: float
    render: RenderEstimate


def _distributions(spec: Spec, frame) -> tuple[AxisDistribution, ...]:
    from psynth_spec.asset_columns import asset_extra_columns

    shown = [(c.axis, c.column, c.stated) for c in spec.columns if c.type == "category" or (c.type == "asset" and c.stated)]
    for c in spec.columns:
        if c.type == "asset" and c.stated:  # what the assets balance by, beside their ids
            tag, _tags, licence = asset_extra_columns(c.column)
            shown += [(f"{c.axis}.tag", tag, True), (f"{c.axis}.licence", licence, True)]
    out = []
    for axis, name, stated in shown:
        shares = tuple(Share(value=v, probability=p) for v, p in value_shares(frame[name], "category").items())
        out.append(AxisDistribution(axis=axis, column=name, stated=stated, shares=shares))
    return tuple(out)


def _caption_stats(spec: Spec, frame) -> tuple[CaptionStats, ...]:
    import polars as pl

    out = []
    for column in spec.caption_columns:
        text = pl.col(column)
        words = text.str.split(" ").list.len()
        row = frame.select(
            words.min().alias("min"), words.median().alias("median"),
            words.quantile(0.95, "nearest").alias("p95"), words.max().alias("max"),
            text.str.len_chars().mean().alias("chars"),
        ).row(0)
        low, median, p95, high, chars = (0 if v is None else v for v in row)
        out.append(CaptionStats(column=column, words_min=int(low), words_median=float(median),
                                words_p95=float(p95), words_max=int(high), chars_mean=float(chars)))
    return tuple(out)


def _effect_share(frame) -> float:
    """Share of the pilot's samples with a liquid or a gas (their effects are simulated)."""
    import polars as pl
    if len(frame) == 0:
        return 0.0
    has = pl.lit(False)
    for column in ("liquid", "gas"):
        if column in frame.columns:
            has = has | (pl.col(column).cast(pl.Utf8).fill_null("none") != "none")
    return float(frame.select(has.cast(pl.Float64).mean()).item() or 0.0)


def _images(spec: Spec) -> tuple[int, int, int]:
    """(stills, video frames, variant stills) a sample renders, as the worker renders them: a
    still per view when an image or a still pass is asked for, the video's frames (following
    the first view), one still per variant."""
    needs_still = "image" in spec.outputs or any(p != "flow" for p in spec.render.passes)
    frames = spec.video.frames if "video" in spec.outputs and spec.video is not None else 0
    if not needs_still:
        return 0, frames, 0
    return spec.render.views, frames, spec.variant_count


def _storage(spec: Spec, frame) -> tuple[StorageItem, ...]:
    from psynth_spec.sampler import samples_parquet_bytes

    pixels = spec.render.width * spec.render.height
    views, frames, variants = _images(spec)  # each variant: one still (first view), its passes and script
    stills = views + variants
    outputs = set(spec.outputs)
    per_sample: dict[str, float] = {}
    members = 0
    images = (stills if "image" in outputs else 0) + frames  # video frames are PNGs whatever the format
    if images:
        per_sample["image"] = pixels * ((images - frames) * cost_model.IMAGE_BYTES_PER_PIXEL[spec.render.format]
                                        + frames * cost_model.IMAGE_BYTES_PER_PIXEL["png"])
        members += images
    still_passes = [p for p in spec.render.passes if p != "flow"]
    flows = max(frames - 1, 0) if "flow" in spec.render.passes else 0
    if still_passes or flows:
        per_sample["passes"] = pixels * (stills * sum(cost_model.PASS_BYTES_PER_PIXEL[p] for p in still_passes)
                                         + flows * cost_model.PASS_BYTES_PER_PIXEL["flow"])
        members += stills * sum(cost_model.PASS_FILES.get(p, 1) for p in still_passes) + flows
    if spec.render.views > 1 and views:
        per_sample["transforms"] = cost_model.TRANSFORMS_VIEW_BYTES * views
        members += 1
    caption_bytes = sum(float(frame[c].str.len_bytes().mean() or 0.0) for c in spec.caption_columns)
    if "caption" in outputs and "caption" in spec.caption_columns:  # the `.txt` member holds `caption`
        per_sample["caption"] = float(frame["caption"].str.len_bytes().mean() or 0.0)
        members += 1
    if "metadata" in outputs:
        video_bytes = cost_model.JSON_FRAME_BYTES * frames
        variant_bytes = cost_model.VARIANT_JSON_BYTES * spec.variant_count
        view_bytes = cost_model.JSON_VIEW_BYTES * views if spec.render.views > 1 else 0
        per_sample["metadata"] = cost_model.JSON_BASE_BYTES + caption_bytes + video_bytes + variant_bytes + view_bytes
        members += 1
    if "scene_code" in outputs:
        per_sample["scene_code"] = cost_model.scene_code_bytes(spec)  # the variants' scripts included
        members += 1 + variants
    if "usd" in outputs:
        per_sample["usd"] = cost_model.USD_BYTES
        members += 1
    if "glb" in outputs:
        per_sample["glb"] = cost_model.GLB_BYTES
        members += 1
    per_sample["tar_overhead"] = members * cost_model.TAR_MEMBER_OVERHEAD
    per_sample["samples"] = len(samples_parquet_bytes(frame)) / max(len(frame), 1)
    per_sample["qc_and_manifests"] = cost_model.QC_ROW_BYTES + members * cost_model.MANIFEST_MEMBER_BYTES
    return tuple(
        StorageItem(kind=kind, bytes_per_sample=b, total_bytes=b * spec.samples) for kind, b in per_sample.items()
    )


def _render(spec: Spec, frame) -> RenderEstimate:
    import polars as pl

    engine_of = cost_model.ENGINE_OF_CONCEPT
    engine = pl.lit(spec.render.engine)
    if "render_engine" in frame.columns:
        engine = pl.col("render_engine").replace_strict(engine_of, default=None).fill_null(spec.render.engine)
    samples = pl.lit(spec.render.samples, dtype=pl.Int64)
    if "render_samples" in frame.columns:
        samples = pl.col("render_samples").cast(pl.Int64).fill_null(spec.render.samples)
    groups = (
        frame.with_columns(engine.alias("_engine"), samples.alias("_samples"))
        .group_by("_engine", "_samples")
        .len()
        .sort("_engine", "_samples")
    )
    total = max(len(frame), 1)
    views, frames, variants = _images(spec)
    renders = views + frames + variants  # the scene is built once: each image is one render
    w, h = spec.render.width, spec.render.height
    cpu = gpu = 0.0
    shares: dict[str, float] = {}
    for name, spp, n in groups.iter_rows():
        weight = n / total
        shares[name] = shares.get(name, 0.0) + weight
        cpu += weight * renders * cost_model.frame_seconds(name, w, h, int(spp))
        gpu += weight * renders * cost_model.frame_seconds(name, w, h, int(spp), gpu=True)
    extra = _extra_objects(frame)
    cpu += cost_model.extra_object_seconds(extra, cpu)
    gpu += cost_model.extra_object_seconds(extra, gpu)
    simulated = 0.0
    if spec.render.simulate and spec.video is not None:  # samples with a liquid or gas simulate it
        share = _effect_share(frame)
        simulated = share * cost_model.simulation_seconds(frames, spec.render.particles, w, h)
        cpu += simulated
        gpu += share * cost_model.simulation_seconds(frames, spec.render.particles, w, h, gpu=True)
    cpu += cost_model.PER_SAMPLE_OVERHEAD_S
    gpu += cost_model.PER_SAMPLE_OVERHEAD_S
    return RenderEstimate(
        engines=dict(sorted(shares.items(), key=lambda kv: -kv[1])),
        frames_per_sample=frames,
        views_per_sample=views,
        variants_per_sample=variants,
        images_per_sample=renders,
        simulation_cpu_seconds_per_sample=simulated,
        cpu_seconds_per_sample=cpu,
        gpu_seconds_per_sample=gpu,
        cpu_hours=cpu * spec.samples / 3600,
        gpu_hours=gpu * spec.samples / 3600,
        assumptions=(
            "CPU = this 2-core machine, constants measured with bench/calibrate_cost_model.py; "
            f"scene factor {cost_model.SCENE_FACTOR}x, {cost_model.PER_SAMPLE_OVERHEAD_S}s per-sample "
            f"overhead and GPU speedups {cost_model.GPU_SPEEDUP} are assumptions (see cost_model.py)"
        ),
    )


def _extra_objects(frame) -> float:
    """Mean objects per sample beyond the first (`scene.objects`; a null counts one)."""
    from psynth_spec.objects_axis import MAX_OBJECTS

    if "scene_objects" not in frame.columns or len(frame) == 0:
        return 0.0
    return float(frame["scene_objects"].fill_null(1).clip(1, MAX_OBJECTS).mean()) - 1.0


def make_plan(spec: Spec, pilot_samples: int = PLAN_PILOT_SAMPLES) -> Plan:
    """Estimate everything a spec will produce, from a pilot of `pilot_samples` samples."""
    from psynth_spec.pilot import pilot_acceptance
    from psynth_spec.sampler import sample_range

    frame = sample_range(spec, 0, pilot_samples, where=f"the plan's pilot of {pilot_samples:,} samples")
    storage = _storage(spec, frame)
    last_shard = spec.samples - (spec.shards - 1) * spec.shard_size
    last_partition = spec.shards - (spec.partitions - 1) * spec.shards_per_partition
    return Plan(
        dataset=spec.dataset,
        version_id=spec.version_id,
        samples=spec.samples,
        shard_size=spec.shard_size,
        shards=spec.shards,
        last_shard_samples=last_shard,
        shards_per_partition=spec.shards_per_partition,
        partitions=spec.partitions,
        last_partition_shards=last_partition,
        pilot_samples=pilot_samples,
        acceptance=pilot_acceptance(spec, pilot_samples),
        distributions=_distributions(spec, frame),
        captions=_caption_stats(spec, frame),
        storage=storage,
        total_bytes=sum(item.total_bytes for item in storage),
        render=_render(spec, frame),
    )
