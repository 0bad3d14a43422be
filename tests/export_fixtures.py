"""Datasets for the export tests and bench/bench_export.py, without rendering.

Each shard's tar holds what the worker writes for a spec with `variants` and `scene_code`:
the real scene scripts (`describe` + `scene_script`, no bpy), the real JSON (axes, captions,
variants with their changed values) and one small real PNG per image (the export never looks
inside images). A manifest makes each shard complete.
"""

import io
import json
import tarfile

from PIL import Image

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, write_manifest
from psynth_data.storage import Storage
from psynth_render.metadata import sample_metadata
from psynth_render.scene import builder_source
from psynth_render.scene.describe import describe
from psynth_render.scene_code import scene_script
from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_shards
from psynth_spec.taxonomy import default_taxonomy
from psynth_spec.variants import changed_values, variant_row

SPEC_TEXT = """dataset exported {
    samples    SAMPLES
    shard_size SHARD
    seed       3
    outputs    [image, caption, metadata, scene_code]
    geometry.shape  ~ one_of [primitives.sphere, primitives.cube, primitives.torus]
    material        ~ one_of { metal.gold: 1, plastic.glossy: 1, glass.clear: 1 }
    lighting.kelvin ~ uniform(3000, 8000)
    camera.focal_length ~ one_of [35, 50, 85]
    variants { material in [metal.copper, plastic.matte], lighting.kelvin in [3200, 6500] }
    caption "{material|a} {geometry.shape} at {lighting.kelvin:.0f} K"
    caption dense "{material|a} {geometry.shape} on a {scene.background} backdrop, key light at {lighting.kelvin:.0f} K, {camera.focal_length:.0f} mm lens"
}
"""


def export_spec(samples: int = 12, shard_size: int = 4):
    return compile_text(SPEC_TEXT.replace("SAMPLES", str(samples)).replace("SHARD", str(shard_size)))


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buffer, "PNG")
    return buffer.getvalue()


def _members(spec, row: dict, taxonomy, source: str) -> list[tuple[str, bytes]]:
    sid = int(row["sample_id"])
    name = f"{sid:09d}"

    def script(sample_row, variant):
        desc = describe(sample_row, spec, taxonomy)
        sample = {"sample_id": sid, "image_name": f"{name}.{'var%d.' % variant if variant else ''}png",
                  "captions": {c: sample_row[c] for c in spec.caption_columns}}
        return scene_script(source, desc, sample).encode()

    meta = sample_metadata(row, spec, {}, {"engine": "CYCLES"})
    out = [(f"{name}.png", _png((sid % 255, 90, 160)))]
    variants, extra = [], []
    for k in range(1, spec.variant_count + 1):
        variant = variant_row(spec, row, k)
        variants.append({"variant": k, "axes": list(spec.variants.axis_names), "changed": changed_values(spec, row, k),
                         "captions": {c: variant[c] for c in spec.caption_columns},
                         "files": [f"{name}.var{k}.png", f"{name}.var{k}.py"]})
        extra += [(f"{name}.var{k}.png", _png((sid % 255, 40 * k, 60))), (f"{name}.var{k}.py", script(variant, k))]
    meta["variants"] = variants
    out += [(f"{name}.txt", row["caption"].encode()), (f"{name}.json", json.dumps(meta, indent=1).encode()),
            (f"{name}.py", script(row, 0))]
    return out + extra


def fabricate_dataset(storage: Storage, spec, shards: range | None = None) -> Layout:
    """Write complete shards (samples-free: tar + manifest) of `spec` into `storage`."""
    layout, taxonomy, source = Layout.for_spec(spec), default_taxonomy(), builder_source()
    for shard, frame in sample_shards(spec, shards or range(spec.shards)):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for row in frame.to_dicts():
                for member, data in _members(spec, row, taxonomy, source):
                    info = tarfile.TarInfo(member)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        storage.put_bytes(layout.render_key(shard), buffer.getvalue())
        write_manifest(storage, layout, shard, [layout.render_key(shard)],
                       Counts(samples=frame.height, rendered=frame.height, failed=0))
    return layout
