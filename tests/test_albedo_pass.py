"""The albedo pass is linear float RGB EXR: on the subject it holds the material's base colour in
linear space (not a display-encoded PNG), a polished metal included, and 0 where no object is."""

import json
import struct

import numpy as np
import pytest

from psynth_render.supervisor import run_shard
from psynth_spec.compile import compile_text
from tests.worker_specs import exr_arrays, png_array, tar_members

pytestmark = pytest.mark.render


def exr_channels(data: bytes) -> list[str]:
    """Channel names of an EXR file, from its header's `channels` attribute (chlist)."""
    at = 8  # magic number and version
    while data[at] != 0:
        name_end = data.index(b"\0", at)
        type_end = data.index(b"\0", name_end + 1)
        size = struct.unpack_from("<i", data, type_end + 1)[0]
        value = data[type_end + 5: type_end + 5 + size]
        if data[at:name_end] == b"channels":
            names, pos = [], 0
            while value[pos] != 0:
                end = value.index(b"\0", pos)
                names.append(value[pos:end].decode())
                pos = end + 1 + 16  # pixel type, pLinear + reserved, x and y sampling
            return names
        at = type_end + 5 + size
    raise ValueError("no channels attribute")


@pytest.mark.parametrize("material", ["plastic.matte", "metal.copper"])
def test_albedo_is_the_linear_base_colour_on_the_subject(material, tmp_path):
    spec = compile_text(f"""dataset albedo {{
    samples 1
    seed    2
    geometry.shape   = primitives.sphere
    material         = {material}
    scene.background = void
    render {{
        engine     cycles
        device     cpu
        resolution 48 x 48
        samples    4
        passes     [albedo, segmentation]
    }}
}}
""", "<albedo>")
    assert run_shard(spec, 0, str(tmp_path)).manifest.counts.rendered == 1
    members = tar_members(tmp_path, spec)
    assert exr_channels(members["000000000.albedo.exr"]) == ["B", "G", "R"]  # RGB, no alpha (stored sorted)
    albedo = exr_arrays(members, ["000000000.albedo.exr"], tmp_path / "read")["000000000.albedo.exr"][..., :3]
    mask = png_array(members["000000000.seg.png"])[..., 0] == 255
    inner = mask & np.roll(mask, 2, 0) & np.roll(mask, -2, 0) & np.roll(mask, 2, 1) & np.roll(mask, -2, 1)
    base = np.array(json.loads(members["000000000.json"])["scene"]["objects"][0]["material"]["base_color"][:3])
    measured = np.median(albedo[inner], axis=0)
    assert inner.sum() > 50
    assert np.abs(measured - base).max() < 0.03, (measured, base)
    encoded = np.where(base <= 0.0031308, 12.92 * base, 1.055 * base ** (1 / 2.4) - 0.055)
    assert np.abs(measured - encoded).max() > 0.05  # the display encoding of the colour would fail
    near = mask | np.roll(mask, 2, 0) | np.roll(mask, -2, 0) | np.roll(mask, 2, 1) | np.roll(mask, -2, 1)
    assert np.abs(albedo[~near]).max() == 0.0  # the void: no object, no albedo (edges are filtered)
