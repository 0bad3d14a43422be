"""The taxonomy data: axes and concepts of docs/axes.md, render parameters, plausibility,
error reporting, and the `psynth taxonomy` command."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from psynth_spec.errors import TaxonomyError
from psynth_spec.render_params import (
    DOMAIN_MODELS,
    GasParams,
    LightingParams,
    LiquidParams,
    MaterialParams,
    NoGas,
    NoLiquid,
    domain_of,
    light_kelvin,
    render_params,
)
from psynth_spec.taxonomy import DEFAULT_TAXONOMY_DIR, ConceptDefault, default_taxonomy, load_taxonomy

# axis -> (type, range, domain, default, default_from), transcribed from docs/axes.md
EXPECTED_AXES = {
    "camera.focal_length": ("float", (8, 600), None, 50, None),
    "camera.fstop": ("float", (0.95, 32), None, 8, None),
    "camera.dof": ("bool", None, None, False, None),
    "camera.angle": ("category", None, "camera.angles", "eye_level", None),
    "camera.distance": ("float", (1.2, 20), None, 3, None),
    "camera.movement": ("category", None, "camera.movements", "static", None),
    "camera.lens": ("category", None, "camera.lenses", "perspective", None),
    "lighting.setup": ("category", None, "lighting", "studio.three_point", None),
    # 5600 as in axes.md; unstated with another setup, the setup's own kelvin (golden hour stays warm)
    "lighting.kelvin": ("float", (1000, 20000), None, 5600, "concept:lighting.setup:kelvin"),
    "lighting.exposure": ("float", (-4, 4), None, 0, None),
    "lighting.key_azimuth": ("float", (0, 360), None, 45, None),
    "material": ("category", None, "materials", "plastic.matte", None),
    "material.roughness": ("float", (0, 1), None, None, "concept:material:roughness"),
    "material.ior": ("float", (1.0, 3.0), None, None, "concept:material:ior"),
    "material.subsurface": ("float", (0, 1), None, None, "concept:material:subsurface"),
    "texture.pattern": ("category", None, "textures", "none", None),
    "texture.scale": ("float", (0.1, 100), None, 5, None),
    "texture.mapping": ("category", None, "mappings", "generated", None),
    "liquid": ("category", None, "liquids", "none", None),
    "liquid.viscosity": ("float", (0.0001, 1000), None, None, "concept:liquid:viscosity"),
    "liquid.form": ("category", None, "liquid_forms", "pool", None),
    "gas": ("category", None, "gases", "none", None),
    "gas.density": ("float", (0, 1), None, 0.5, None),
    "geometry.shape": ("category", None, "geometry", "primitives.sphere", None),
    "geometry.subdivision": ("int", (0, 4), None, 0, None),
    "geometry.rotation": ("float", (0, 360), None, 0, None),
    "render.engine": ("category", None, "rendering.engines", "path_tracing", "render:engine"),
    "render.samples": ("int", (1, 65536), None, 64, "render:samples"),
    "post.bloom": ("float", (0, 1), None, 0, None),
    "post.vignette": ("float", (0, 1), None, 0, None),
    "post.grain": ("float", (0, 1), None, 0, None),
    "post.chromatic_aberration": ("float", (0, 1), None, 0, None),
    "post.grade": ("category", None, "post.grades", "neutral", None),
    "style": ("category", None, "styles", "photoreal", None),
    "color.harmony": ("category", None, "color.harmonies", "complementary", None),
    "color.base_hue": ("float", (0, 360), None, 210, None),
    "color.mood": ("category", None, "color.moods", "neutral", None),
    "scene.background": ("category", None, "backgrounds", "studio_sweep", None),
}

# concepts of docs/axes.md, relative to their domain
EXPECTED_CONCEPTS = {
    "camera.angles": "eye_level high_angle low_angle birds_eye worms_eye dutch overhead close_up",
    "camera.movements": "static dolly_in dolly_out truck pedestal pan tilt orbit crane zoom_in "
    "zoom_out handheld",
    "camera.lenses": "perspective fisheye orthographic panoramic",
    "lighting": "studio.three_point studio.rembrandt studio.butterfly studio.split studio.loop "
    "studio.rim studio.high_key studio.low_key natural.golden_hour natural.blue_hour "
    "natural.overcast natural.noon natural.night artificial.tungsten artificial.fluorescent "
    "artificial.neon artificial.candle hdri.sky_clear hdri.sky_sunset hdri.interior_soft",
    "materials": "metal.gold metal.silver metal.copper metal.steel metal.aluminum metal.chrome "
    "metal.brass glass.clear glass.frosted glass.tinted plastic.glossy plastic.matte "
    "fabric.cotton fabric.silk fabric.velvet fabric.denim organic.skin organic.wax "
    "organic.marble organic.jade organic.wood organic.leaf ceramic rubber",
    "textures": "none procedural.noise procedural.voronoi procedural.wave procedural.checker "
    "procedural.brick procedural.magic procedural.gradient stylized.toon_ramp stylized.halftone",
    "mappings": "uv box sphere cylinder generated",
    "liquids": "none water oil paint milk honey wine",
    "liquid_forms": "pool splash drip pour ripple",
    "gases": "none smoke fog cloud fire steam dust",
    "geometry": "primitives.cube primitives.sphere primitives.cylinder primitives.cone "
    "primitives.torus primitives.icosphere primitives.monkey primitives.plane complex.rock "
    "complex.knot complex.twisted_torus complex.gear",
    "rendering.engines": "path_tracing rasterization solid",
    "post.grades": "neutral teal_orange bleach_bypass sepia high_contrast film",
    "styles": "photoreal stylized.clay stylized.low_poly npr.toon npr.sketch cartoon anime",
    "color.harmonies": "monochromatic complementary analogous triadic split_complementary tetradic",
    "color.moods": "neutral warm cool pastel saturated muted",
    "backgrounds": "studio_sweep floor void sky",
}


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def leaves_params(tax, domain):
    return {p: render_params(tax, p) for p in tax.leaves(domain)}


# ------------------------------------------------------------------ axes
def test_version_is_the_release_string(tax):
    assert tax.version == "2026.11.0"


@pytest.mark.parametrize("path", sorted(EXPECTED_AXES))
def test_axis_matches_registry_table(tax, path):
    typ, rng, domain, default, default_from = EXPECTED_AXES[path]
    axis = tax.axis_by_path[path]
    assert axis.type == typ
    assert axis.range == (pytest.approx(rng) if rng else None)
    assert axis.domain == domain
    assert (str(axis.default_from) if axis.default_from else None) == default_from
    if default is not None or default_from is None:
        assert axis.default == default
        assert isinstance(axis.default, bool) == isinstance(default, bool)
    assert axis.description


def test_every_axis_of_the_registry_and_only_known_additions(tax):
    assert set(EXPECTED_AXES) <= set(tax.axis_by_path)


def test_categorical_defaults_are_leaves_of_their_domain(tax):
    for axis in tax.axes:
        if axis.type == "category":
            full = tax.resolve(axis, axis.default)
            assert full is not None and tax.concepts[full].is_leaf, axis.path


def test_concept_defaults_name_real_render_parameters(tax):
    """`default_from: concept:<axis>:<param>` reads a field every concept of that domain has
    (a generator's own axis: every concept of that generator, and no other has the field)."""
    from psynth_render.scene.describe.shape_params import GENERATOR_AXES

    for axis in tax.axes:
        if isinstance(axis.default_from, ConceptDefault):
            source, param = axis.default_from.axis, axis.default_from.param
            domain = tax.axis_by_path[source].domain
            owner = GENERATOR_AXES.get(axis.path)
            for path in tax.leaves(domain):
                params = render_params(tax, path)
                if isinstance(params, (NoLiquid, NoGas)):
                    continue
                if owner is not None and params.generator != owner[0]:
                    assert not hasattr(params, param), (axis.path, path)  # the samples table: null
                    continue
                value = getattr(params, param)
                lo, hi = axis.range
                assert lo <= value <= hi, (axis.path, path, value)


# ------------------------------------------------------------------ concepts
@pytest.mark.parametrize("domain", sorted(EXPECTED_CONCEPTS))
def test_required_concepts_exist_as_leaves_of_their_domain(tax, domain):
    axis = next(a for a in tax.axes if a.domain == domain)
    for name in EXPECTED_CONCEPTS[domain].split():
        full = tax.resolve(axis, name)
        assert full == f"{domain}.{name}", name
        assert tax.concepts[full].is_leaf, full
        assert tax.concepts[full].render, f"{full} has no render parameters"


def test_domains_are_disjoint_and_cover_every_domain_model(tax):
    domains = [a.domain for a in tax.axes if a.type == "category"]
    assert sorted(domains) == sorted(DOMAIN_MODELS)
    seen: dict[str, str] = {}
    for d in domains:
        for leaf in tax.leaves(d):
            assert leaf not in seen, f"{leaf} in both {seen.get(leaf)} and {d}"
            seen[leaf] = d


def test_every_leaf_has_text_and_valid_render_params(tax):
    count = 0
    for path, concept in tax.concepts.items():
        domain = domain_of(path)
        if not concept.is_leaf or domain is None:
            continue
        count += 1
        assert concept.label and concept.label == concept.label.strip(), path
        assert concept.description, path
        assert len(concept.synonyms) <= 4, path
        assert concept.label not in concept.synonyms, path
        params = render_params(tax, path)
        assert type(params).__name__ != "dict"
    assert count >= 250  # the ontology is rich: every area well beyond the required minimum


def test_each_area_goes_beyond_the_required_list(tax):
    for domain, names in EXPECTED_CONCEPTS.items():
        required = len(names.split())
        assert len(tax.leaves(domain)) >= required
    for domain in ("materials", "lighting", "geometry", "textures", "liquids", "gases", "styles"):
        assert len(tax.leaves(domain)) > len(EXPECTED_CONCEPTS[domain].split()) + 3, domain


def test_synonyms_are_unique_within_a_concept(tax):
    for path, concept in tax.concepts.items():
        assert len(set(concept.synonyms)) == len(concept.synonyms), path


# ------------------------------------------------------------------ plausibility
def test_transparent_materials_and_liquids_have_real_ior(tax):
    for path, p in leaves_params(tax, "materials").items():
        if p.transmission > 0:
            assert 1.0 < p.ior <= 2.5, path
    for path, p in leaves_params(tax, "liquids").items():
        if isinstance(p, LiquidParams):
            assert 1.0 < p.ior <= 2.5, path


def test_known_iors():
    t = default_taxonomy()
    assert render_params(t, "liquids.water").ior == pytest.approx(1.333)
    assert render_params(t, "materials.glass.clear").ior == pytest.approx(1.52, abs=0.03)
    assert render_params(t, "materials.gem.diamond").ior == pytest.approx(2.42, abs=0.01)
    assert render_params(t, "materials.glass.ice").ior == pytest.approx(1.31, abs=0.01)


def test_viscosity_ordering(tax):
    v = {n: render_params(tax, f"liquids.{n}").viscosity for n in ("water", "milk", "oil", "paint", "honey", "wine")}
    assert v["water"] < v["milk"] < v["oil"] < v["paint"] < v["honey"]
    assert v["water"] == pytest.approx(0.001)
    assert v["water"] < v["wine"] < v["milk"]
    assert 2 <= v["honey"] <= 100


def test_milk_scatters_and_water_does_not(tax):
    milk = render_params(tax, "liquids.milk")
    water = render_params(tax, "liquids.water")
    assert milk.scattering_density > 10 and milk.transmission == 0
    assert water.scattering_density == 0 and water.transmission == 1


def test_metals_are_metallic_and_dielectrics_are_not(tax):
    for path, p in leaves_params(tax, "materials.metal").items():
        assert p.metallic == 1.0, path
        assert p.transmission == 0.0, path
    for group in ("glass", "plastic", "fabric", "organic", "gem", "stone", "pottery"):
        for path, p in leaves_params(tax, f"materials.{group}").items():
            assert p.metallic == 0.0, path


def test_gold_is_yellow_and_copper_is_red(tax):
    gold = render_params(tax, "materials.metal.gold").base_color
    copper = render_params(tax, "materials.metal.copper").base_color
    silver = render_params(tax, "materials.metal.silver").base_color
    assert gold[0] > gold[1] > gold[2]
    assert copper[0] > copper[1] and copper[0] > copper[2]
    assert max(silver) - min(silver) < 0.1


def test_subsurface_materials(tax):
    for name in ("organic.skin", "organic.wax", "organic.jade", "organic.marble"):
        p = render_params(tax, f"materials.{name}")
        assert p.subsurface > 0.3, name
        assert max(p.subsurface_radius) > 0
    skin = render_params(tax, "materials.organic.skin").subsurface_radius
    assert skin[0] > skin[1] > skin[2]  # red light travels furthest in skin


def test_fire_emits_and_smoke_does_not(tax):
    fire = render_params(tax, "gases.fire")
    assert isinstance(fire, GasParams) and fire.emits
    assert fire.blackbody_kelvin is not None and 1500 <= fire.blackbody_kelvin <= 3500  # the core
    assert fire.tip_kelvin is not None and 900 <= fire.tip_kelvin < fire.blackbody_kelvin  # the tips
    assert not render_params(tax, "gases.smoke").emits
    assert isinstance(render_params(tax, "gases.none"), NoGas)
    assert render_params(tax, "gases.fog").density_scale < render_params(tax, "gases.smoke").density_scale


def test_lighting_rigs(tax):
    for path, p in leaves_params(tax, "lighting").items():
        assert isinstance(p, LightingParams)
        if path.startswith("lighting.studio."):
            assert any(light.role == "key" or light.role == "rim" or light.role == "back" for light in p.lights), path
        if path.startswith("lighting.hdri."):
            assert not p.lights and p.world.kind in ("sky", "gradient", "image"), path
    three = render_params(tax, "lighting.studio.three_point")
    assert [l.role for l in three.lights] == ["key", "fill", "rim"]
    key, fill, _ = three.lights
    assert fill.power < key.power
    assert render_params(tax, "lighting.artificial.candle").kelvin < 2000
    assert render_params(tax, "lighting.natural.golden_hour").kelvin < render_params(tax, "lighting.natural.noon").kelvin
    assert render_params(tax, "lighting.hdri.sky_clear").world.sky_type is not None


def test_light_kelvin_follows_the_axis_and_keeps_offsets(tax):
    tungsten = render_params(tax, "lighting.artificial.tungsten")
    key, practical = tungsten.lights
    assert light_kelvin(tungsten, key, 5600) == 5600
    warm = light_kelvin(tungsten, practical, 5600)
    assert warm < 5600  # the practical stays warmer than the key
    assert light_kelvin(tungsten, practical, tungsten.kelvin) == pytest.approx(practical.kelvin)


def test_color_harmony_offsets(tax):
    off = {n: render_params(tax, f"color.harmonies.{n}").hue_offsets_deg for n in EXPECTED_CONCEPTS["color.harmonies"].split()}
    assert off["complementary"] == (0, 180)
    assert off["analogous"] == (0, -30, 30)
    assert off["triadic"] == (0, 120, 240)
    assert off["split_complementary"] == (0, 150, 210)
    assert off["tetradic"] == (0, 90, 180, 270)
    assert off["monochromatic"] == (0,)
    assert len(render_params(tax, "color.harmonies.monochromatic").value_steps) >= 3


def test_moods_direction(tax):
    m = {n: render_params(tax, f"color.moods.{n}") for n in EXPECTED_CONCEPTS["color.moods"].split()}
    assert m["neutral"].saturation_scale == 1 and m["neutral"].value_scale == 1
    assert m["warm"].kelvin_shift < 0 < m["cool"].kelvin_shift
    assert m["pastel"].saturation_scale < 1 < m["pastel"].value_scale
    assert m["saturated"].saturation_scale > 1 > m["muted"].saturation_scale


def test_engines_map_each_block_name_once(tax):
    blocks = {}
    for path, p in leaves_params(tax, "rendering.engines").items():
        if p.block_name:
            blocks[p.block_name] = path
    assert blocks == {
        "cycles": "rendering.engines.path_tracing",
        "eevee": "rendering.engines.rasterization",
        "workbench": "rendering.engines.solid",
    }


def test_lenses_and_angles(tax):
    assert render_params(tax, "camera.lenses.fisheye").panorama_type == "FISHEYE_EQUISOLID"
    assert render_params(tax, "camera.lenses.panoramic").panorama_type == "EQUIRECTANGULAR"
    assert render_params(tax, "camera.lenses.orthographic").lens_type == "ORTHO"
    a = {n: render_params(tax, f"camera.angles.{n}") for n in EXPECTED_CONCEPTS["camera.angles"].split()}
    assert a["worms_eye"].elevation_deg < a["low_angle"].elevation_deg < a["eye_level"].elevation_deg
    assert a["eye_level"].elevation_deg < a["high_angle"].elevation_deg < a["birds_eye"].elevation_deg < a["overhead"].elevation_deg
    assert a["dutch"].roll_deg != 0 and a["close_up"].distance_scale < 1


def test_movements_move_except_static(tax):
    for path, p in leaves_params(tax, "camera.movements").items():
        assert p.moves == (not path.endswith(".static")), path
    assert render_params(tax, "camera.movements.dolly_in").dolly < 0 < render_params(tax, "camera.movements.dolly_out").dolly
    assert render_params(tax, "camera.movements.zoom_in").zoom > 1 > render_params(tax, "camera.movements.zoom_out").zoom


def test_geometry_generators(tax):
    assert render_params(tax, "geometry.complex.knot").generator == "torus_knot"
    assert render_params(tax, "geometry.complex.gear").teeth >= 8
    assert render_params(tax, "geometry.complex.rock").strength > 0
    assert render_params(tax, "geometry.primitives.monkey").op == "monkey"


def test_styles_have_their_shading(tax):
    s = {n: render_params(tax, f"styles.{n}") for n in EXPECTED_CONCEPTS["styles"].split()}
    assert s["photoreal"].shading == "photoreal"
    assert s["stylized.clay"].base_color_override is not None
    assert 0 < s["stylized.low_poly"].decimate_ratio < 0.5
    assert s["npr.toon"].ramp_steps >= 2
    assert s["npr.sketch"].line_thickness > 0
    assert s["cartoon"].outline and s["anime"].rim_strength > 0


def test_grades_neutral_is_identity_and_others_are_not(tax):
    neutral = render_params(tax, "post.grades.neutral")
    for path, p in leaves_params(tax, "post.grades").items():
        assert (p == neutral) == path.endswith(".neutral"), path


# ------------------------------------------------------------------ errors
def copy_taxonomy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(DEFAULT_TAXONOMY_DIR, target)
    return target


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_bad_render_value_names_the_concept(tmp_path):
    d = copy_taxonomy(tmp_path)

    def bad(data):
        data["materials"]["children"]["metal"]["children"]["gold"]["render"]["roughness"] = 1.7

    edit(d / "concepts" / "materials.yaml", bad)
    with pytest.raises(TaxonomyError, match=r"materials\.metal\.gold.*roughness"):
        load_taxonomy(d)


def test_unknown_render_field_is_an_error(tmp_path):
    d = copy_taxonomy(tmp_path)

    def bad(data):
        data["liquids"]["children"]["honey"]["render"]["viscosty"] = 10

    edit(d / "concepts" / "liquids.yaml", bad)
    with pytest.raises(TaxonomyError, match=r"liquids\.honey.*viscosty"):
        load_taxonomy(d)


def test_unknown_concept_key_and_broken_yaml(tmp_path):
    d = copy_taxonomy(tmp_path)

    def bad(data):
        data["gases"]["children"]["fire"]["colour"] = "red"

    edit(d / "concepts" / "gases.yaml", bad)
    with pytest.raises(TaxonomyError, match=r"gases\.fire"):
        load_taxonomy(d)
    (d / "concepts" / "gases.yaml").write_text("gases: {children: [unclosed\n")
    with pytest.raises(TaxonomyError, match="gases.yaml"):
        load_taxonomy(d)


def test_bad_axis_default_is_an_error(tmp_path):
    d = copy_taxonomy(tmp_path)
    edit(d / "axes.yaml", lambda data: data["axes"]["material"].update(default="metal.unobtainium"))
    with pytest.raises(TaxonomyError, match="material"):
        load_taxonomy(d)
    d2 = copy_taxonomy(tmp_path / "b")
    edit(d2 / "axes.yaml", lambda data: data["axes"]["camera.fstop"].update(type="complex"))
    with pytest.raises(TaxonomyError, match="camera.fstop"):
        load_taxonomy(d2)


def test_missing_required_field_is_an_error(tmp_path):
    d = copy_taxonomy(tmp_path)

    def bad(data):
        del data["lighting"]["children"]["studio"]["children"]["rim"]["render"]["world"]

    edit(d / "concepts" / "lighting.yaml", bad)
    with pytest.raises(TaxonomyError, match=r"lighting\.studio\.rim.*world"):
        load_taxonomy(d)


def test_render_params_on_inner_node_is_an_error(tmp_path):
    d = copy_taxonomy(tmp_path)

    def bad(data):
        data["materials"]["children"]["metal"]["render"] = {"roughness": 0.1}

    edit(d / "concepts" / "materials.yaml", bad)
    with pytest.raises(TaxonomyError, match=r"materials\.metal\b"):
        load_taxonomy(d)


def test_render_params_of_unknown_concept(tax):
    with pytest.raises(TaxonomyError, match="materials.metal.unobtainium"):
        render_params(tax, "materials.metal.unobtainium")


# ------------------------------------------------------------------ the CLI
def psynth(*args):
    return subprocess.run(
        [sys.executable, "-m", "psynth_cli.main", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_subtree_shows_leaves_and_axis_table():
    out = psynth("taxonomy", "materials.metal")
    assert out.returncode == 0, out.stderr
    assert "gold" in out.stdout and "brushed steel" in out.stdout
    assert "clear glass" not in out.stdout and "velvet" not in out.stdout  # only the metal subtree
    for column in ("axis", "type", "range", "domain", "default"):
        assert column in out.stdout
    assert "material.roughness" in out.stdout and "plastic.matte" in out.stdout
    assert "camera.fstop" not in out.stdout


def test_cli_axis_name_shows_its_domain():
    out = psynth("taxonomy", "liquid")
    assert out.returncode == 0, out.stderr
    assert "honey" in out.stdout and "liquid.viscosity" in out.stdout


def test_cli_subtree_brings_the_axis_family():
    out = psynth("taxonomy", "textures.photoreal")
    assert out.returncode == 0, out.stderr
    assert "wood grain" in out.stdout and "noise" not in out.stdout.split("axes")[0]
    for axis in ("texture.pattern", "texture.scale", "texture.mapping"):
        assert axis in out.stdout
    assert "material" not in out.stdout


def test_cli_whole_tree():
    out = psynth("taxonomy")
    assert out.returncode == 0, out.stderr
    for word in ("three-point", "gold", "twisted torus", "teal and orange", "camera.focal_length", "8..600"):
        assert word in out.stdout, word


def test_cli_unknown_node_suggests():
    out = psynth("taxonomy", "materials.metl")
    assert out.returncode == 1
    assert "unknown" in out.stderr and "did you mean 'materials.metal'" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_json():
    import json

    out = psynth("taxonomy", "gases", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    ids = [c["id"] for c in data["concepts"][0]["children"]]
    assert "gases.fire" in ids
    assert [a["path"] for a in data["axes"]] == ["gas", "gas.density"]


def test_leaf_render_is_stored_normalized(tax):
    """`concept.render` holds every model field, so derived axis defaults are never missing."""
    gold = tax.concepts["materials.metal.gold"].render
    assert gold["subsurface"] == 0.0 and gold["transmission"] == 0.0 and gold["kind"] == "surface"
    for leaf in tax.leaves("materials"):
        render = tax.concepts[leaf].render
        assert {"roughness", "ior", "subsurface"} <= set(render), leaf
    assert render_params(tax, "materials.metal.gold") == MaterialParams(**gold)



def test_caption_words_are_unambiguous_within_a_domain(tax):
    """Every leaf has 2-4 synonyms, and no label or synonym names two values of one axis."""
    for axis in tax.axes:
        if axis.domain is None:
            continue
        owner: dict[str, str] = {}
        for leaf in tax.leaves(axis.domain):
            concept = tax.concepts[leaf]
            assert 2 <= len(concept.synonyms) <= 4, leaf
            for word in (concept.label, *concept.synonyms):
                key = word.lower()
                assert owner.setdefault(key, leaf) == leaf, f"'{word}' names {owner[key]} and {leaf}"


def test_unstated_kelvin_is_the_setups_own(tax):
    """The default setup's kelvin is the registry's 5600; warm setups stay warm when unstated."""
    kelvin = tax.axis_by_path["lighting.kelvin"]
    setup = tax.axis_by_path["lighting.setup"]
    default_setup = tax.resolve(setup, setup.default)
    assert render_params(tax, default_setup).kelvin == kelvin.default == 5600
    assert render_params(tax, "lighting.artificial.candle").kelvin < 2000
    assert render_params(tax, "lighting.natural.golden_hour").kelvin < 4000


# ------------------------------------------------------------------ the load cache
def test_cache_returns_the_same_taxonomy_and_misses_on_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("PSYNTH_CACHE_DIR", str(tmp_path / "cache"))
    d = copy_taxonomy(tmp_path)
    first = load_taxonomy(d)
    files = list((tmp_path / "cache").glob("taxonomy-*.json"))
    assert len(files) == 1
    assert load_taxonomy(d) == first == load_taxonomy(d, use_cache=False)

    def warmer(data):
        data["materials"]["children"]["metal"]["children"]["gold"]["render"]["roughness"] = 0.5

    edit(d / "concepts" / "materials.yaml", warmer)
    assert load_taxonomy(d).concepts["materials.metal.gold"].render["roughness"] == 0.5
    assert len(list((tmp_path / "cache").glob("taxonomy-*.json"))) == 2


def test_corrupt_cache_falls_back_to_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("PSYNTH_CACHE_DIR", str(tmp_path / "cache"))
    d = copy_taxonomy(tmp_path)
    expected = load_taxonomy(d)
    (cache,) = (tmp_path / "cache").glob("taxonomy-*.json")
    cache.write_text('{"version": "x", "roots": [')
    assert load_taxonomy(d) == expected


def test_cached_load_skips_yaml_and_render_validation(tmp_path):
    """A warm cache loads without importing the render-parameter models (fast CLI start)."""
    env = {**__import__("os").environ, "PSYNTH_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import sys; from psynth_spec.taxonomy import load_taxonomy; t = load_taxonomy(); "
        "print(len(t.concepts), 'psynth_spec.render_params' in sys.modules)"
    )
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    n = len(default_taxonomy().concepts)
    assert cold.stdout.split() == [str(n), "True"], cold.stderr
    assert warm.stdout.split() == [str(n), "False"], warm.stderr


def test_cli_depth_limits_the_tree():
    out = psynth("taxonomy", "materials", "--depth", "1")
    assert out.returncode == 0, out.stderr
    tree = out.stdout.split("axes")[0]
    import re

    metals = len(default_taxonomy().leaves("materials.metal"))
    assert re.search(rf"metal\s+metal\s+{metals} leaves", tree) and "gold" not in tree
