"""G-buffers and the subject GLB: alpha 0 exactly where no object is, the linear HDR pass above
1 under a bright key, the shader's roughness and metallic as passes, camera-space normals that
are the world normals turned by the camera, and a GLB inside the unit sphere."""

import io
import json

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from psynth_render.supervisor import run_shard
from tests.worker_specs import exr_arrays, tar_members, tiny_spec

pytestmark = pytest.mark.render

SIZE = 64
EXRS = ["depth", "normal", "normal_camera", "roughness", "metallic", "linear"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """One sample of the subject alone (void background), transparent, every pass, and its GLB."""
    root = tmp_path_factory.mktemp("gbuffers")
    spec = tiny_spec(
        name="gbuf", samples=1, outputs="image, metadata, glb", engine="cycles", spp=4, size=SIZE,
        passes="segmentation, depth, normal, roughness, metallic, hdr",
        axes="scene.background = backgrounds.void\n    lighting.setup = studio.three_point",
        render="background transparent",
    )
    run_shard(spec, 0, str(root))
    members = tar_members(root, spec)
    names = [f"000000000.{n}.exr" for n in EXRS]
    arrays = exr_arrays(members, names, root / "exr")
    passes = {n: arrays[f"000000000.{n}.exr"] for n in EXRS}
    rgba = np.asarray(Image.open(io.BytesIO(members["000000000.png"])))
    mask = np.asarray(Image.open(io.BytesIO(members["000000000.seg.png"])).convert("L")) > 127
    return json.loads(members["000000000.json"]), rgba, mask, passes, members["000000000.glb"]


def test_transparent_background_has_alpha_zero_exactly_where_no_object_is(sample):
    _, rgba, mask, _, _ = sample
    assert rgba.shape == (SIZE, SIZE, 4)
    alpha = rgba[..., 3]
    near_object = ndimage.binary_dilation(mask, iterations=2)  # the pixel filter spreads edges ~1.5 px
    assert mask.sum() > 50 and (~near_object).sum() > 500
    assert (alpha[~near_object] == 0).all(), "alpha above 0 away from every object"
    assert (alpha[mask] > 0).all(), "alpha 0 on the subject"
    assert (alpha[ndimage.binary_erosion(mask, iterations=2)] == 255).all()


def test_hdr_pass_is_linear_and_exceeds_one_under_the_key(sample):
    _, rgba, mask, passes, _ = sample
    linear = passes["linear"][..., :3]
    assert linear[mask].max() > 1.0, "no highlight above 1: the pass is clipped"
    display = rgba[..., :3].astype(float) / 255  # after AgX and the look: another curve
    assert np.abs(linear[mask] - display[mask]).mean() > 0.05


def test_roughness_and_metallic_passes_hold_the_shader_values(sample):
    meta, _, mask, passes, _ = sample
    material = meta["scene"]["objects"][0]["material"]
    inner = ndimage.binary_erosion(mask, iterations=2)
    for name in ("roughness", "metallic"):
        values = passes[name][..., 0]
        assert np.median(values[inner]) == pytest.approx(material[name], abs=1e-3), name
        assert np.abs(values[~ndimage.binary_dilation(mask, iterations=2)]).max() == 0.0, name


def test_camera_normals_are_the_world_normals_turned_by_the_camera(sample):
    meta, _, mask, passes, _ = sample
    world, camera = passes["normal"][..., :3], passes["normal_camera"][..., :3]
    rotation = np.array(meta["camera"]["world_to_camera"])[:3, :3]
    inner = ndimage.binary_erosion(mask, iterations=2)
    assert np.allclose(camera[inner], world[inner] @ rotation.T, atol=1e-4)
    assert np.median(camera[inner][:, 2]) > 0.3  # visible surfaces face the camera (+Z toward it)
    assert np.allclose(np.linalg.norm(camera[inner], axis=1), 1.0, atol=0.1)  # pixel averages of unit normals


def test_depth_pass_is_metres_along_the_camera_axis(sample):
    meta, _, mask, passes, _ = sample
    depth = passes["depth"][..., 0]
    distance = np.linalg.norm(np.subtract(meta["camera"]["location"], meta["camera"]["target"]))
    assert depth.dtype == np.float32
    assert distance - 1.0 < np.min(depth[mask]) < distance  # the subject: radius 1 at the target
    assert depth[~ndimage.binary_dilation(mask, iterations=2)].min() > 1e3  # nothing there: the sky


def test_glb_holds_the_subject_normalised_with_its_material(sample):
    import trimesh

    meta, _, _, _, glb = sample
    scene = trimesh.load(io.BytesIO(glb), file_type="glb")
    meshes = list(scene.dump()) if isinstance(scene, trimesh.Scene) else [scene]
    vertices = np.concatenate([m.vertices for m in meshes])
    radii = np.linalg.norm(vertices, axis=1)
    assert len(meshes) == 1 and len(vertices) > 100  # the subject alone
    assert radii.max() <= 1.0 and radii.max() > 0.99  # the unit bounding sphere
    assert np.abs((vertices.max(0) + vertices.min(0)) / 2).max() < 0.1  # centred
    material = meshes[0].visual.material
    wanted = meta["scene"]["objects"][0]["material"]
    assert material.roughnessFactor == pytest.approx(wanted["roughness"], abs=1e-3)
    assert (material.metallicFactor if material.metallicFactor is not None else 1.0) == pytest.approx(
        wanted["metallic"], abs=1e-3)
