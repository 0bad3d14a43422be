"""Natural-language wording for the instruct export: edit instructions and question/answer pairs.

Every phrase is built from the taxonomy (concept labels and descriptions, axis units and
descriptions) and picked with counter-based randomness keyed by (seed, purpose, sample id), so
the same export gives the same words and neighbouring samples get different ones. Nothing here
is a free-form template from a spec: the phrasings are this module's, the values are data.
"""

from dataclasses import dataclass

import numpy as np

from psynth_spec.counters import uniforms
from psynth_spec.taxonomy import Axis, Taxonomy

NOUNS = {
    "camera.focal_length": "focal length",
    "camera.fstop": "aperture",
    "camera.dof": "depth of field",
    "camera.angle": "camera angle",
    "camera.distance": "camera distance",
    "camera.lens": "lens",
    "lighting.setup": "lighting",
    "lighting.kelvin": "key light's colour temperature",
    "lighting.exposure": "exposure",
    "lighting.key_azimuth": "key light's direction",
    "material": "material",
    "material.roughness": "surface roughness",
    "material.ior": "index of refraction",
    "texture.pattern": "surface pattern",
    "geometry.shape": "shape",
    "geometry.rotation": "rotation of the object",
    "scene.background": "background",
    "post.grade": "colour grade",
    "style": "art style",
    "camera.movement": "camera move",
    "lighting.hdri_rotation": "environment rotation",
    "lighting.hdri_strength": "environment strength",
    "material.subsurface": "subsurface scattering",
    "texture.scale": "pattern scale",
    "texture.mapping": "pattern mapping",
    "liquid": "liquid",
    "liquid.viscosity": "liquid's viscosity",
    "liquid.form": "liquid's form",
    "gas": "gas",
    "gas.density": "gas density",
    "geometry.subdivision": "subdivision level",
    "post.bloom": "bloom",
    "post.vignette": "vignette",
    "post.grain": "film grain",
    "post.chromatic_aberration": "chromatic aberration",
    "color.harmony": "colour harmony",
    "color.base_hue": "base hue",
    "color.mood": "colour mood",
    "camera.framing": "framing",
    "scene.objects": "number of objects",
}
"""Short noun phrases for common axes; others use their taxonomy description."""

_DIRECTIONAL = {  # axis -> (phrase when the value goes up, phrase when it goes down)
    "lighting.kelvin": ("cool the key light to {v}", "warm the key light to {v}"),
    "camera.focal_length": ("zoom in to {v}", "zoom out to {v}"),
    "camera.fstop": ("stop the aperture down to f/{v}", "open the aperture up to f/{v}"),
    "lighting.exposure": ("brighten the exposure to {v}", "darken the exposure to {v}"),
    "material.roughness": ("roughen the surface to {v}", "polish the surface to a roughness of {v}"),
}


@dataclass(frozen=True)
class Wording:
    """Phrases for one taxonomy; `seed` varies the choices of a whole export."""

    taxonomy: Taxonomy
    seed: int = 0

    # ------------------------------------------------------------ choices
    def pick(self, purpose: str, sample_id: int, options: list[str] | tuple[str, ...]) -> str:
        """One of `options`, the same for the same (seed, purpose, sample id)."""
        u = float(uniforms(self.seed, f"instruct:{purpose}", np.asarray([sample_id], dtype=np.int64))[0])
        return options[min(int(u * len(options)), len(options) - 1)]

    def order(self, purpose: str, sample_id: int, items: list) -> list:
        """`items` in a seeded order (a permutation keyed like `pick`)."""
        ids = np.full(len(items), sample_id, dtype=np.int64)
        keys = [float(uniforms(self.seed, f"instruct:{purpose}:{i}", ids[:1])[0]) for i in range(len(items))]
        return [item for _, item in sorted(zip(keys, items), key=lambda pair: pair[0])]

    # ------------------------------------------------------------ values
    def axis(self, path: str) -> Axis:
        return self.taxonomy.axis_by_path[path]

    def noun(self, path: str) -> str:
        if path in NOUNS:
            return NOUNS[path]
        text = self.axis(path).description
        return text.split(";")[0].split(" (")[0].strip()

    def label(self, path: str, value) -> str:
        """A value as words: a concept's label, a number with its unit, on/off."""
        axis = self.axis(path)
        if value is None:
            return "none"
        if axis.type == "category":
            full = self.taxonomy.resolve(axis, str(value))
            return self.taxonomy.concepts[full].label if full else str(value)
        if axis.type == "bool":
            return "on" if value else "off"
        return self.number(path, value)

    def words(self, path: str, value) -> list[str]:
        """A value's label and, for a concept, its synonyms (the taxonomy's caption words)."""
        axis = self.axis(path)
        full = self.taxonomy.resolve(axis, str(value)) if axis.type == "category" and value is not None else None
        if full is None:
            return [self.label(path, value)]
        concept = self.taxonomy.concepts[full]
        return list(dict.fromkeys([concept.label, *concept.synonyms]))

    def number(self, path: str, value) -> str:
        axis = self.axis(path)
        if axis.type == "int" or (axis.unit in ("K", "mm", "degrees") and abs(float(value)) >= 10):
            text = f"{float(value):.0f}"
        else:
            text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        unit = {"degrees": "°", None: ""}.get(axis.unit, f" {axis.unit}")
        return text + unit

    def description(self, path: str, value) -> str | None:
        """The taxonomy's description of a categorical value's concept."""
        axis = self.axis(path)
        if axis.type != "category" or value is None:
            return None
        full = self.taxonomy.resolve(axis, str(value))
        return self.taxonomy.concepts[full].description if full else None

    def article(self, words: str) -> str:
        from psynth_spec.check import article

        return f"{article(words)} {words}"

    # ------------------------------------------------------------ edits
    def edit_clause(self, sample_id: int, variant: int, path: str, before, after, subject: str) -> str:
        """One change as an imperative clause ("make the cube polished copper")."""
        axis = self.axis(path)
        new = self.pick(f"words:{path}:{variant}", sample_id, self.words(path, after))
        if path in _DIRECTIONAL and axis.type in ("float", "int") and before is not None and after is not None:
            up, down = _DIRECTIONAL[path]
            return (up if float(after) > float(before) else down).format(v=self.number(path, after).replace("f/", ""))
        if path == "material":
            return self.pick(f"edit:{path}:{variant}", sample_id, [
                f"make the {subject} {new}", f"turn the {subject} into {new}",
                f"give the {subject} a {new} finish", f"change the {subject}'s material to {new}"])
        if axis.type == "bool":
            return f"turn {'on' if after else 'off'} the {self.noun(path)}"
        noun = self.noun(path)
        if axis.type in ("float", "int") and before is not None and after is not None:
            verb = "raise" if float(after) > float(before) else "lower"
            return self.pick(f"edit:{path}:{variant}", sample_id, [
                f"{verb} the {noun} to {new}", f"set the {noun} to {new}", f"change the {noun} to {new}"])
        return self.pick(f"edit:{path}:{variant}", sample_id, [
            f"switch the {noun} to {new}", f"use {self.article(new)} {noun}" if axis.type == "category"
            else f"set the {noun} to {new}", f"change the {noun} to {new}"])

    def instruction(self, sample_id: int, variant: int, clauses: list[str]) -> str:
        """Clauses joined as one instruction, with seeded framing."""
        clauses = self.order(f"clauses:{variant}", sample_id, clauses)
        body = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
        frame = self.pick(f"frame:{variant}", sample_id, ["{b}", "{B}.", "Please {b}.", "Edit the scene: {b}.",
                                                          "{B} in this scene."])
        return frame.format(b=body, B=body[:1].upper() + body[1:])

    # ------------------------------------------------------------ questions
    def question(self, sample_id: int, path: str, value) -> tuple[str, str, str]:
        """(topic, question, answer) about one axis value of a sample."""
        noun, shown = self.noun(path), self.label(path, value)
        described = self.description(path, value)
        topic = self.pick(f"qa-topic:{path}", sample_id, ["value", "concept", "axis"] if described else ["value", "axis"])
        if topic == "concept":
            question = self.pick(f"qa:{path}:concept", sample_id, [
                f"What is {shown}, as a {noun}?", f"Describe the {noun} '{shown}'.",
                f"What does {shown} mean for the {noun} of a render?"])
            return topic, question, f"{shown[:1].upper() + shown[1:]}: {described}."
        if topic == "axis":
            question = self.pick(f"qa:{path}:axis", sample_id, [
                f"What does the {noun} control in this scene?", f"Why does the {noun} matter here?"])
            answer = self.axis(path).description.split(";")[0].strip()
            answer = answer[4:] if answer.startswith("the ") else answer
            return topic, question, f"It is the {answer}; in this render it is {shown}."
        question = self.pick(f"qa:{path}:value", sample_id, [
            f"What {noun} does this render use?", f"Which {noun} was this image made with?",
            f"What is the {noun} in this scene?"] + _SPECIAL_QUESTIONS.get(path, []))
        answer = f"{shown[:1].upper() + shown[1:]}." + (f" {described[:1].upper() + described[1:]}." if described else "")
        return topic, question, answer


_SPECIAL_QUESTIONS = {
    "camera.focal_length": ["What focal length gives this compression?", "How long is the lens on this shot?"],
    "camera.fstop": ["What f-number was the aperture set to?"],
    "lighting.kelvin": ["How warm or cool is the key light, in kelvin?"],
    "material.roughness": ["How rough is the surface on a 0 to 1 scale?"],
}
