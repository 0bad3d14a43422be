"""The `qc { ... }` block: QC thresholds a spec overrides (the rest keep their defaults).

    qc {
        max_dark_clip 0.7
        min_coverage  0.0005
    }

The keys, their defaults (`QcThresholds`) and their ranges live here (the language owns them);
`QcThresholds.for_spec(spec)` applies a spec's overrides. What each threshold decides is
documented in `psynth_data.qc`.
"""

from dataclasses import asdict, dataclass

from psynth_spec import nodes as n
from psynth_spec.check_axes import Reporter
from psynth_spec.errors import PsynthError

@dataclass(frozen=True)
class QcThresholds:
    """Where a QC metric turns into a failure reason: each key once, with its default.

    What each threshold decides is documented in `psynth_data.qc`.
    """

    blank_std: float = 0.004  # std of luma under this: a blank (flat) image
    clip_dark: float = 0.02  # luma at or under this counts as clipped dark
    clip_bright: float = 0.98  # luma at or over this counts as clipped bright
    max_dark_clip: float = 0.5  # more clipped-dark pixels than this: too_dark
    max_bright_clip: float = 0.5  # more clipped-bright pixels than this: too_bright
    min_coverage: float = 0.02  # subject covers less of the frame than this: subject_too_small
    max_coverage: float = 0.98  # subject covers more than this: subject_fills_frame
    max_nan_frac: float = 0.0  # more non-finite float-pass values than this: non_finite_pass
    max_subject_border: float = 0.005  # subject on more of the image border than this: subject_cropped
    max_void_frac: float = 0.001  # more pixels seeing nothing of the set than this: void_in_frame
    min_element_coverage: float = 0.01  # a stated liquid/gas/object/effect under this: {element}_not_visible
    min_subject_contrast: float = 0.03  # subject vs surroundings under this, with a gas: gas_hides_subject
    max_failure_rate: float = 0.2  # a partition failing QC more often fails its qc_failure_rate check

    @classmethod
    def from_mapping(cls, values: dict | None) -> "QcThresholds":
        """Defaults overridden by `values` (unknown names are a QcThresholdError, not ignored)."""
        values = dict(values or {})
        unknown = set(values) - set(QC_DEFAULTS)
        if unknown:
            raise QcThresholdError(f"unknown QC threshold(s): {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in values.items()})

    @classmethod
    def for_spec(cls, spec) -> "QcThresholds":
        """The thresholds of a compiled spec: the defaults, overridden by its `qc` block."""
        return cls.from_mapping(getattr(spec, "qc", None))


class QcThresholdError(PsynthError):
    """A QC threshold name that does not exist."""


QC_DEFAULTS: dict[str, float] = asdict(QcThresholds())
QC_KEYS = tuple(QC_DEFAULTS)
QC_LIMITS: dict[str, tuple[float, float]] = {key: (0.0, 1.0) for key in QC_KEYS} | {"blank_std": (0.0, 0.5)}
# (lower, upper) pairs: the lower must stay under the upper (clips) or at most equal it (coverage)
_ORDERED = (("clip_dark", "clip_bright", True), ("min_coverage", "max_coverage", False))


def check_qc_block(report: Reporter, block: n.Block) -> dict[str, float]:
    """The thresholds a `qc` block sets (name -> value), reporting every bad key or value."""
    values: dict[str, float] = {}
    value_spans: dict[str, n.Span] = {}  # key -> its value (where an order error points)
    for setting in report.known_settings(block, QC_KEYS):
        key = setting.name.text
        value = setting.value
        lo, hi = QC_LIMITS[key]
        if not isinstance(value, n.Number):
            report.error(value.span, "type-mismatch", f"qc {key} takes a number in [{lo:g}, {hi:g}], e.g. {key} {QC_DEFAULTS[key]:g}")
            continue
        if not lo <= value.value <= hi:
            report.error(
                value.span, "out-of-range", f"qc {key} must be in [{lo:g}, {hi:g}], got {value.text}",
                f"the default is {QC_DEFAULTS[key]:g}",
            )
            continue
        values[key] = float(value.value)
        value_spans[key] = value.span
    _check_order(report, values, value_spans)
    return values


def _check_order(report: Reporter, values: dict[str, float], spans: dict[str, n.Span]) -> None:
    """The lower threshold of a pair must stay below the upper one, defaults included."""
    for low_key, high_key, strict in _ORDERED:
        if low_key not in values and high_key not in values:
            continue
        low = values.get(low_key, QC_DEFAULTS[low_key])
        high = values.get(high_key, QC_DEFAULTS[high_key])
        if low < high or (low == high and not strict):
            continue
        given = [k for k in (low_key, high_key) if k in values]
        where = max((spans[k] for k in given), key=lambda s: (s.line, s.col))
        relation, fix = ("below", "smaller than") if strict else ("at most", "no larger than")

        def shown(key: str) -> str:
            return f"{key} {values[key]:g}" if key in values else f"{key} {QC_DEFAULTS[key]:g} (the default)"

        report.error(
            where, "conflicting-thresholds",
            f"qc {low_key} must be {relation} {high_key}: got {shown(low_key)} and {shown(high_key)}",
            f"make {low_key} {fix} {high_key}"
            + ("" if len(given) == 2 else f", or set {high_key if low_key in values else low_key} too"),
        )
