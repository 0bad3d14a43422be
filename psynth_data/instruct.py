"""Records for language models from one rendered sample (the `instruct` export format).

Three kinds, one JSON object each, all with provenance (`dataset`, `version_id`, `sample_id`,
`shard`) and the images they talk about (`{"tar": KEY, "member": NAME}`):

    code   instruction = a caption (`caption`, and `caption_dense` when the dataset has it),
           response = the sample's `py` scene script
    edit   instruction = the variant's change in words ("make the cube polished copper and warm
           the key light to 3200 K"), response = the unified diff from the base sample's script
           to the variant's; images = [base, variant]; `changes` = the changed values
    qa     instruction = a question about one of the sample's values or its concept, response =
           the answer from the values and the taxonomy's descriptions

Wording and choices are seeded (`instruct_wording`), so an export is reproducible.
"""

import json
from collections.abc import Iterator

from psynth_data.code_diff import unified_diff
from psynth_data.export_source import ShardSample
from psynth_data.instruct_wording import Wording
from psynth_data.layout import Layout

CODE_CAPTIONS = ("caption", "caption_dense")
"""Caption columns that become `code` records, when the sample has them."""

_QA_SKIPPED = {"render.samples", "render.engine"}  # render settings, not picture content


def _record(kind: str, layout: Layout, sample: ShardSample, suffix: str, instruction: str, response: str,
            images: list[str], **extra) -> dict:
    return {
        "kind": kind,
        "id": f"{layout.dataset}/{layout.version_id}/{sample.sample_id:09d}/{suffix}",
        "dataset": layout.dataset,
        "version_id": layout.version_id,
        "sample_id": sample.sample_id,
        "shard": sample.shard,
        "instruction": instruction,
        "response": response,
        "images": [{"tar": sample.tar_key, "member": sample.member_name(s)} for s in images],
        **extra,
    }


def image_suffix(sample: ShardSample, variant: int = 0) -> str | None:
    """The member suffix of the sample's image (of a variant, k >= 1), if it has one."""
    prefix = f"var{variant}." if variant else ""
    for ext in ("png", "exr", "webp"):
        if prefix + ext in sample.members:
            return prefix + ext
    return None


def sample_records(sample: ShardSample, layout: Layout, wording: Wording, qa_per_sample: int = 4) -> Iterator[dict]:
    """Every record of one sample: code, then edits (one per variant), then questions."""
    meta = json.loads(sample.members["json"]) if "json" in sample.members else {}
    captions = dict(meta.get("captions") or {})
    if "caption" not in captions and "txt" in sample.members:
        captions["caption"] = sample.members["txt"].decode("utf-8")
    image = image_suffix(sample)
    images = [image] if image else []
    code = sample.members["py"].decode("utf-8") if "py" in sample.members else None
    if code is not None:
        for column in CODE_CAPTIONS:
            if captions.get(column):
                yield _record("code", layout, sample, f"code/{column}", captions[column], code, images,
                              caption_column=column)
    for entry in meta.get("variants") or []:
        record = _edit_record(sample, layout, wording, meta, entry, code, images)
        if record is not None:
            yield record
    yield from _qa_records(sample, layout, wording, meta.get("axes") or {}, images, qa_per_sample)


def _edit_record(sample, layout, wording: Wording, meta: dict, entry: dict, code: str | None, images) -> dict | None:
    k = int(entry["variant"])
    after = sample.members.get(f"var{k}.py")
    if code is None or after is None:
        return None
    columns = {a.column: a.path for a in wording.taxonomy.axes}
    axes = meta.get("axes") or {}
    named = [columns.get(c, c) for c in entry.get("changed", {}) if columns.get(c) in set(entry.get("axes", []))]
    if not named:
        return None  # a variant that changed nothing visible in its named axes (e.g. a null when)
    subject = wording.label("geometry.shape", axes.get("geometry_shape")) if axes.get("geometry_shape") else "object"
    clauses = [wording.edit_clause(sample.sample_id, k, path, axes.get(wording.axis(path).column),
                                   entry["changed"][wording.axis(path).column], subject) for path in named]
    variant_image = image_suffix(sample, k)
    diff = unified_diff(code, after.decode("utf-8"), sample.member_name("py"), sample.member_name(f"var{k}.py"))
    return _record("edit", layout, sample, f"edit/var{k}", wording.instruction(sample.sample_id, k, clauses), diff,
                   images + ([variant_image] if variant_image else []), variant=k, changes=entry["changed"],
                   base_code=sample.member_name("py"), variant_code=sample.member_name(f"var{k}.py"))


def _qa_records(sample, layout, wording: Wording, axes: dict, images, qa_per_sample: int) -> Iterator[dict]:
    known = {a.column: a for a in wording.taxonomy.axes}
    # values the sample sets (not its registry defaults, which every sample shares)
    candidates = [known[c].path for c, v in axes.items()
                  if c in known and v is not None and v != known[c].default and known[c].path not in _QA_SKIPPED]
    for path in wording.order("qa-axes", sample.sample_id, candidates)[:qa_per_sample]:
        topic, question, answer = wording.question(sample.sample_id, path, axes[wording.axis(path).column])
        yield _record("qa", layout, sample, f"qa/{path}", question, answer, images, axis=path, topic=topic)
