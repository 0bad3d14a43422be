"""Typed render parameters of taxonomy concepts, one pydantic model family per axis domain.

Every LEAF of a categorical axis's domain carries a `render:` mapping in YAML; this module says
what that mapping must hold and validates it on load, so the renderer can trust it.
`render_params(taxonomy, "materials.metal.gold")` returns the validated model instance.

Conventions (stable: the scene and render code reads these names):
- colours are linear RGB triples in 0..1 (scene-referred, not sRGB);
- lengths are in scene units where the subject fits in a sphere of radius 1 ("object radii");
- angles are degrees; azimuths are measured about +Z from the key light's azimuth
  (the `lighting.key_azimuth` axis), so rotating the key rotates the whole rig and the sun;
- enum values that map 1:1 to a Blender enum use Blender's identifier (`"PERSP"`, `"CYCLES"`,
  `"FISHEYE_EQUISOLID"`, `"MULTIPLE_SCATTERING"`, `"RIDGED_MULTIFRACTAL"`...).

Domain keys are the categorical axes' domains: `materials`, `liquids`, `liquid_forms`, `gases`,
`lighting`, `camera.angles`, `camera.movements`, `camera.lenses`, `camera.framings`, `textures`, `mappings`,
`geometry`, `topologies`, `subdivision_types`, `arrangements`, `rendering.engines`, `post.grades`,
`styles`, `color.harmonies`, `color.moods`,
`backgrounds`.

Models live in submodules by area (surfaces, staging, geometry, looks); import them from here.
"""

from typing import Any

from pydantic import TypeAdapter, ValidationError

from psynth_spec.errors import TaxonomyError
from psynth_spec.render_params.base import RGB, Kelvin, NonNeg, Positive, Unit
from psynth_spec.render_params.geometry import (
    Crystal, Gear, Geometry, Lathe, Metaballs, Mobius, Platonic, Primitive, Rock, Spring,
    Arrangement, StarPrism, SubdivisionType, Supershape, Topology, TorusKnot, TwistedTorus,
)
from psynth_spec.render_params.looks import (
    EngineParams, GradeParams, HarmonyParams, MoodParams, StyleParams,
)
from psynth_spec.render_params.staging import (
    BackgroundParams, CameraAngleParams, CameraFramingParams, CameraLensParams, CameraMovementParams, Light,
    LightingParams, World, light_kelvin,
)
from psynth_spec.render_params.surfaces import (
    Gas, GasParams, Liquid, LiquidFormParams, LiquidParams, MappingParams, MaterialParams,
    NoGas, NoLiquid, SurfaceDetail, TextureParams,
)

__all__ = [
    "RGB", "Kelvin", "NonNeg", "Positive", "Unit",
    "MaterialParams", "SurfaceDetail", "Liquid", "LiquidParams", "NoLiquid", "LiquidFormParams",
    "Gas", "GasParams", "NoGas", "TextureParams", "MappingParams",
    "LightingParams", "Light", "World", "light_kelvin", "CameraAngleParams", "CameraFramingParams",
    "CameraMovementParams", "CameraLensParams", "BackgroundParams",
    "Geometry", "Primitive", "Rock", "TorusKnot", "TwistedTorus", "Gear", "Spring", "Mobius",
    "Supershape", "Lathe", "Crystal", "StarPrism", "Platonic", "Metaballs", "Topology", "SubdivisionType", "Arrangement",
    "EngineParams", "GradeParams", "StyleParams", "HarmonyParams", "MoodParams",
    "DOMAIN_MODELS", "domain_of", "normalize_render", "render_params", "validate_render_params",
]


DOMAIN_MODELS: dict[str, Any] = {
    "materials": MaterialParams,
    "liquids": Liquid,
    "liquid_forms": LiquidFormParams,
    "gases": Gas,
    "lighting": LightingParams,
    "camera.angles": CameraAngleParams,
    "camera.movements": CameraMovementParams,
    "camera.lenses": CameraLensParams,
    "camera.framings": CameraFramingParams,
    "textures": TextureParams,
    "mappings": MappingParams,
    "geometry": Geometry,
    "topologies": Topology,
    "subdivision_types": SubdivisionType,
    "arrangements": Arrangement,
    "rendering.engines": EngineParams,
    "post.grades": GradeParams,
    "styles": StyleParams,
    "color.harmonies": HarmonyParams,
    "color.moods": MoodParams,
    "backgrounds": BackgroundParams,
}
"""Domain path -> the model (or discriminated union) its leaves' `render` must satisfy."""

_ADAPTERS: dict[str, TypeAdapter] = {}


def _adapter(domain: str) -> TypeAdapter:
    if domain not in _ADAPTERS:
        _ADAPTERS[domain] = TypeAdapter(DOMAIN_MODELS[domain])
    return _ADAPTERS[domain]


def domain_of(full_path: str) -> str | None:
    """The domain key a concept path lies in (longest match), or None."""
    best = None
    for domain in DOMAIN_MODELS:
        if full_path == domain or full_path.startswith(domain + "."):
            if best is None or len(domain) > len(best):
                best = domain
    return best


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def _validate(domain: str, path: str, render: dict[str, Any]) -> Any:
    try:
        return _adapter(domain).validate_python(render)
    except ValidationError as exc:
        raise TaxonomyError(
            f"concept {path}: invalid render parameters for domain {domain}: {_describe(exc)}"
        ) from None


def normalize_render(full_path: str, render: dict[str, Any]) -> dict[str, Any]:
    """A leaf's raw `render` mapping validated and dumped with every default filled in
    (plain JSON-like data). Outside every domain it is returned as is (and rejected later)."""
    domain = domain_of(full_path)
    if domain is None or full_path == domain:
        return render
    params = _validate(domain, full_path, render)
    return _adapter(domain).dump_python(params, mode="json")


def render_params(taxonomy: Any, full_path: str) -> Any:
    """The validated render parameters of the leaf concept `full_path` (a model instance)."""
    concept = taxonomy.concept(full_path)
    if concept is None:
        raise TaxonomyError(f"unknown concept {full_path}")
    domain = domain_of(full_path)
    if domain is None:
        raise TaxonomyError(f"concept {full_path} lies in no render domain")
    return _validate(domain, full_path, concept.render)


def validate_render_params(taxonomy: Any) -> None:
    """Check every concept: leaves of a domain have valid `render` params; inner nodes, and
    nodes outside every domain, carry none; every domain exists and holds a leaf; each block
    engine name belongs to exactly one engine concept."""
    for domain in DOMAIN_MODELS:
        node = taxonomy.concept(domain)
        if node is None:
            raise TaxonomyError(f"render domain {domain} is missing from the concept tree")
        if node.is_leaf:
            raise TaxonomyError(f"render domain {domain} has no concepts under it")
    block_names: dict[str, str] = {}
    for path, concept in taxonomy.concepts.items():
        domain = domain_of(path)
        if not concept.is_leaf or domain is None or path == domain:
            if concept.render:
                raise TaxonomyError(
                    f"concept {path}: only leaves of a domain carry render parameters"
                )
            continue
        if not concept.description:
            raise TaxonomyError(f"concept {path}: missing description")
        if not concept.render:
            raise TaxonomyError(f"concept {path}: a leaf needs render parameters")
        params = _validate(domain, path, concept.render)
        if isinstance(params, EngineParams) and params.block_name is not None:
            if params.block_name in block_names:
                raise TaxonomyError(
                    f"concept {path}: block name {params.block_name} already belongs to "
                    f"{block_names[params.block_name]}"
                )
            block_names[params.block_name] = path
