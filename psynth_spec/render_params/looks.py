"""Render parameters of the picture's look: engines, colour grades, art styles, colour harmony
and mood."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from psynth_spec.render_params.base import RGB, NonNeg, Positive, Unit, _Params
from psynth_spec.vocabulary import Engine


# ================================================================ rendering
class EngineParams(_Params):
    """A render engine. `blender_engine` is `scene.render.engine`; `block_name` is the spec's
    render-block name it stands for (each block name belongs to exactly one concept; None for
    variants reachable only through the `render.engine` axis). Bounces apply to Cycles;
    `eevee_raytracing` to EEVEE; `workbench_lighting` / `workbench_color` to Workbench."""

    blender_engine: Literal["CYCLES", "BLENDER_EEVEE", "BLENDER_WORKBENCH"]
    block_name: Engine | None
    max_bounces: Annotated[int, Field(ge=0, le=1024)] = 12
    diffuse_bounces: Annotated[int, Field(ge=0, le=1024)] = 4
    glossy_bounces: Annotated[int, Field(ge=0, le=1024)] = 4
    transmission_bounces: Annotated[int, Field(ge=0, le=1024)] = 12
    volume_bounces: Annotated[int, Field(ge=0, le=1024)] = 0
    denoise: bool = True
    eevee_raytracing: bool = False
    workbench_lighting: Literal["STUDIO", "MATCAP", "FLAT"] = "STUDIO"
    workbench_color: Literal["MATERIAL", "OBJECT", "SINGLE", "RANDOM"] = "MATERIAL"


# ================================================================ post
class GradeParams(_Params):
    """A colour grade for the compositor's Color Balance (lift/gamma/gain, ASC-CDL-like) then
    saturation and contrast (1 = unchanged), then a multiplicative `tint`."""

    lift: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gamma: tuple[Positive, Positive, Positive] = (1.0, 1.0, 1.0)
    gain: tuple[NonNeg, NonNeg, NonNeg] = (1.0, 1.0, 1.0)
    saturation: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    contrast: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    tint: RGB = (1.0, 1.0, 1.0)

    @model_validator(mode="after")
    def _lift(self) -> "GradeParams":
        if any(not -0.5 <= v <= 0.5 for v in self.lift):
            raise ValueError("lift channels must lie in -0.5..0.5")
        return self


# ================================================================ styles
class StyleParams(_Params):
    """How the picture is drawn. `shading`: photoreal (materials as they are); clay (every
    material replaced by `base_color_override` at `roughness_override`); low_poly (decimate to
    `decimate_ratio`, flat shading); toon (diffuse quantized to `ramp_steps` via Shader to RGB
    + constant colour ramp); sketch (Freestyle/line-art lines of `line_thickness` px in
    `line_color` over `paper_color`, desaturated fill); cartoon (flat colours with `ramp_steps`
    + outlines); anime (cel shading with `ramp_steps`, `rim_strength` rim light, clean lines);
    wireframe (Wireframe modifier of `wire_thickness` object radii); pixel_art (render at
    1/`pixel_size` resolution, nearest upscale, `color_levels` per channel).
    `saturation` scales the material colours (1 = unchanged)."""

    shading: Literal[
        "photoreal", "clay", "low_poly", "toon", "sketch", "cartoon", "anime", "wireframe",
        "pixel_art",
    ]
    base_color_override: RGB | None = None
    roughness_override: Unit | None = None
    flat_shading: bool = False
    decimate_ratio: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    ramp_steps: Annotated[int, Field(ge=2, le=16)] | None = None
    outline: bool = False
    line_thickness: Annotated[float, Field(ge=0.0, le=20.0)] = 0.0
    line_color: RGB = (0.0, 0.0, 0.0)
    paper_color: RGB | None = None
    rim_strength: NonNeg = 0.0
    rim_color: RGB = (1.0, 1.0, 1.0)
    saturation: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    wire_thickness: NonNeg | None = None
    pixel_size: Annotated[int, Field(ge=1, le=64)] | None = None
    color_levels: Annotated[int, Field(ge=2, le=256)] | None = None

    @model_validator(mode="after")
    def _needs(self) -> "StyleParams":
        needs = {
            "clay": ("base_color_override", "roughness_override"),
            "low_poly": ("decimate_ratio",),
            "toon": ("ramp_steps",),
            "cartoon": ("ramp_steps",),
            "anime": ("ramp_steps",),
            "sketch": ("paper_color",),
            "wireframe": ("wire_thickness",),
            "pixel_art": ("pixel_size", "color_levels"),
        }.get(self.shading, ())
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise ValueError(f"shading {self.shading} needs {', '.join(missing)}")
        if self.shading in ("sketch", "cartoon", "anime") and self.line_thickness <= 0:
            raise ValueError(f"shading {self.shading} needs line_thickness > 0")
        return self


# ================================================================ colour
class HarmonyParams(_Params):
    """Palette hues = `color.base_hue` + each of `hue_offsets_deg` (first is 0: the subject's
    hue; the next go to background, then lights, cycling). `value_steps` (0..1) give the value
    of each palette entry in turn (monochromatic varies value instead of hue); `saturation` is
    the palette's base saturation before the mood scales it."""

    hue_offsets_deg: tuple[float, ...] = Field(min_length=1)
    value_steps: tuple[Unit, ...] = (0.8,)
    saturation: Unit = 0.65

    @model_validator(mode="after")
    def _first(self) -> "HarmonyParams":
        if self.hue_offsets_deg[0] != 0:
            raise ValueError("hue_offsets_deg must start at 0")
        return self


class MoodParams(_Params):
    """Multiplies palette saturation and value, and adds `kelvin_shift` K to the lighting's
    kelvin (negative = warmer light)."""

    saturation_scale: Annotated[float, Field(ge=0.0, le=3.0)]
    value_scale: Annotated[float, Field(ge=0.0, le=3.0)]
    kelvin_shift: Annotated[float, Field(ge=-5000.0, le=5000.0)] = 0.0
