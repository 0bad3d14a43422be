"""Re-rendering a shard gives the same tar, byte for byte (issue 19, item 3): no date, render
time or other render statistics in the images, no timings in the per-sample JSON."""

import hashlib
import io
import json

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from psynth_data.layout import Layout
from psynth_render.image_metadata import exr_without_render_stats, png_text_chunks, png_without_text
from psynth_render.supervisor import run_shard
from tests.worker_specs import tar_members, tiny_spec


def _tar_sha(root, spec) -> str:
    return hashlib.sha256((root / Layout.for_spec(spec).render_key(0)).read_bytes()).hexdigest()


@pytest.mark.render
@pytest.mark.parametrize("fmt", ["png", "exr"])
def test_two_renders_of_a_shard_give_the_same_tar(tmp_path, fmt):
    spec = tiny_spec(name=f"again_{fmt}", samples=2, engine="cycles", spp=2, fmt=fmt,
                     outputs="image, caption, metadata, scene_code, usd", passes="depth, normal, segmentation, albedo")
    roots = [tmp_path / "first", tmp_path / "second"]
    for root in roots:
        run_shard(spec, 0, str(root))
    first, second = (tar_members(root, spec) for root in roots)
    assert list(first) == list(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert _tar_sha(roots[0], spec) == _tar_sha(roots[1], spec)
    assert "000000000.usdc" in first
    meta = json.loads(first["000000000.json"])
    assert "seconds" not in meta["render"]
    if fmt == "png":
        assert png_text_chunks(first["000000000.png"]) == []
        assert np.asarray(Image.open(io.BytesIO(first["000000000.png"]))).std() > 0  # a real image


@pytest.mark.render
def test_two_renders_of_a_multi_view_shard_give_the_same_tar(tmp_path):
    """Views, the new passes, transforms.json and the GLB are reproducible too."""
    spec = tiny_spec(name="again_views", samples=1, engine="cycles", spp=2, outputs="image, metadata, glb",
                     passes="normal, roughness, metallic, hdr", render="views 2\n        rig random")
    roots = [tmp_path / "first", tmp_path / "second"]
    for root in roots:
        run_shard(spec, 0, str(root))
    first, second = (tar_members(root, spec) for root in roots)
    assert "000000000.v01.normal_camera.exr" in first and "000000000.glb" in first
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.render
def test_two_renders_of_a_shard_with_variants_give_the_same_tar(tmp_path):
    """Counterfactual variants' images carry no render statistics either."""
    spec = tiny_spec(name="again_variants", samples=1, engine="cycles", spp=2, outputs="image, metadata",
                     axes="variants { material count 1 }")
    roots = [tmp_path / "first", tmp_path / "second"]
    for root in roots:
        run_shard(spec, 0, str(root))
    first, second = (tar_members(root, spec) for root in roots)
    assert png_text_chunks(first["000000000.var1.png"]) == []
    assert [name for name in first if first[name] != second[name]] == []


def test_png_text_chunks_are_removed_and_pixels_kept():
    pixels = np.random.default_rng(3).integers(0, 255, (8, 8, 3), dtype=np.uint8)
    info = PngImagePlugin.PngInfo()
    info.add_text("Date", "2026/11/27 23:58:52")
    info.add_text("cycles.ViewLayer.render_time", "00:00.37")
    info.add_itxt("Note", "zürich")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", pnginfo=info)
    data = buffer.getvalue()
    assert set(png_text_chunks(data)) == {b"Date", b"cycles.ViewLayer.render_time", b"Note"}
    cleaned = png_without_text(data)
    assert png_text_chunks(cleaned) == [] and len(cleaned) < len(data)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(cleaned))), pixels)


def _exr(attributes: list[tuple[bytes, bytes, bytes]], rows: int, compression: int, payload: bytes) -> bytes:
    """A minimal scanline EXR layout: header attributes, offset table, then `payload` chunks."""
    import struct

    header = b"".join(name + b"\0" + kind + b"\0" + struct.pack("<i", len(value)) + value
                      for name, kind, value in attributes)
    header += b"compression\0compression\0" + struct.pack("<i", 1) + bytes([compression])
    header += b"dataWindow\0box2i\0" + struct.pack("<i", 16) + struct.pack("<iiii", 0, 0, 3, rows - 1) + b"\0"
    chunks = -(-rows // {0: 1, 3: 16}[compression])
    start = 8 + len(header) + 8 * chunks
    offsets = struct.pack(f"<{chunks}Q", *(start + i * 4 for i in range(chunks)))
    return b"\x76\x2f\x31\x01" + struct.pack("<I", 2) + header + offsets + payload


def test_exr_render_stats_are_removed_and_offsets_shifted():
    import struct

    payload = bytes(range(4 * 40))
    for compression, rows in ((0, 40), (3, 40)):
        stats = [(b"cycles.ViewLayer.total_time", b"string", b"00:00.38"), (b"Software", b"string", b"Blender")]
        data = _exr(stats, rows, compression, payload)
        clean = _exr(stats[1:], rows, compression, payload)
        assert exr_without_render_stats(data) == clean  # offsets point at the same chunks
        chunks = -(-rows // {0: 1, 3: 16}[compression])
        table = clean.index(b"dataWindow") + len(b"dataWindow\0box2i\0") + 4 + 16 + 1  # after the header's end
        first = struct.unpack("<Q", clean[table : table + 8])[0]
        assert clean[first : first + 4] == payload[:4] and len(clean) - first == len(payload)
        last = struct.unpack("<Q", clean[table + 8 * (chunks - 1) : table + 8 * chunks])[0]
        assert clean[last : last + 4] == payload[4 * (chunks - 1) : 4 * chunks]


def _layer(path, order: list[str]) -> None:
    """A USD layer whose root prim holds the same children written in `order`."""
    from pxr import Sdf

    layer = Sdf.Layer.CreateNew(str(path))
    root = Sdf.CreatePrimInLayer(layer, "/root")
    root.specifier = Sdf.SpecifierDef
    for name in order:
        prim = Sdf.PrimSpec(root, name, Sdf.SpecifierDef, "Xform")
        for prop in (["b", "a"] if name == "Light" else ["a", "b"]):
            Sdf.AttributeSpec(prim, prop, Sdf.ValueTypeNames.Float).default = float(len(name))
    layer.Save()


def test_canonical_usd_is_the_same_bytes_whatever_the_export_order(tmp_path):
    from pxr import Sdf

    from psynth_render.usd_canonical import canonical_usdc

    _layer(tmp_path / "one.usda", ["Cube", "Light", "Camera"])
    _layer(tmp_path / "two.usda", ["Light", "Camera", "Cube"])
    assert (tmp_path / "one.usda").read_bytes() != (tmp_path / "two.usda").read_bytes()
    for name in ("one", "two"):
        canonical_usdc(tmp_path / f"{name}.usda", tmp_path / f"{name}.usdc")
    assert (tmp_path / "one.usdc").read_bytes() == (tmp_path / "two.usdc").read_bytes()
    layer = Sdf.Layer.FindOrOpen(str(tmp_path / "one.usdc"))
    root = layer.GetPrimAtPath("/root")
    assert list(root.nameChildren.keys()) == ["Camera", "Cube", "Light"]
    assert layer.GetAttributeAtPath("/root/Light.a").default == 5.0  # values kept
