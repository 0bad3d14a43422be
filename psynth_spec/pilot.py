"""The pilot draw: how often the constraints accept a first-round sample.

`language.md`: a spec whose constraints accept fewer than 1 sample in 1,000 fails to compile.
The pilot draws round 0 of sample ids 0..n-1 (the same draws the dataset starts from), so it is
deterministic and costs a few milliseconds.
"""

from psynth_spec.spec import Spec

MIN_ACCEPTANCE = 1.0 / 1000
PILOT_SAMPLES = 20_000


def pilot_acceptance(spec: Spec, n: int = PILOT_SAMPLES) -> float:
    """Fraction of the first `n` round-0 draws that meet every `require` (1.0 without any)."""
    import numpy as np

    from psynth_spec.sampler import accepted, draw_statements

    if not spec.requires or n <= 0:
        return 1.0
    batch = draw_statements(spec, np.arange(n, dtype=np.int64), 0)
    return float(accepted(spec, batch).mean())


def check_pilot(spec: Spec, n: int = PILOT_SAMPLES) -> str | None:
    """A diagnostic message when the constraints accept too little, else None.

    The caller (the checker) attaches it to the line of `spec.requires[0]`.
    """
    if not spec.requires:
        return None
    rate = pilot_acceptance(spec, n)
    if rate >= MIN_ACCEPTANCE:
        return None
    seen = "none" if rate == 0 else f"1 in {round(1 / rate):,}"
    lines = ", ".join(str(r.line) for r in spec.requires)
    which = f"the require on line {lines}" if len(spec.requires) == 1 else f"the requires on lines {lines}"
    return (
        f"constraints accept {rate:.2%} of draws ({seen} in a pilot of {n:,}); "
        f"psynth needs at least 1 in 1,000: relax {which}"
    )


def eliminated_values(spec: Spec, n: int = PILOT_SAMPLES) -> list[tuple[int, str]]:
    """(line, message) for each `require` that removes whole values of another categorical axis.

    A value is removed when the pilot draws it often enough that, at the require's overall
    acceptance, at least 10 of its draws should have passed, yet none did. The usual cause is a
    condition on an axis that is null for that value: `require material.ior > 1.8` with
    `material.ior` set only `when material in glass` removes every other material.
    """
    import numpy as np

    from psynth_spec.sampler import draw_statements, require_masks
    from psynth_spec.spec import condition_axes

    if not spec.requires:
        return []
    batch = draw_statements(spec, np.arange(n, dtype=np.int64), 0)
    categorical = [st for st in spec.statements if st.type == "category"]
    out = []
    for require, holds in zip(spec.requires, require_masks(spec, batch)):
        read = condition_axes(require.cond) | (condition_axes(require.when) if require.when is not None else set())
        rate = float(holds.mean())
        for statement in categorical:
            if statement.axis in read:
                continue
            column = batch.stated[statement.axis]
            valid = np.ones(n, dtype=bool) if column.valid is None else column.valid
            codes = column.values[valid]
            drawn = np.bincount(codes, minlength=len(column.categories))
            kept = np.bincount(codes[holds[valid]], minlength=len(column.categories))
            gone = [c for c, d, k in zip(column.categories, drawn, kept) if k == 0 and d * rate >= 10]
            if not gone:
                continue
            rows = valid & np.isin(column.values, [column.categories.index(c) for c in gone])
            unset = [a for a in sorted(condition_axes(require.cond)) if a in batch.stated
                     and batch.stated[a].valid is not None and not batch.stated[a].valid[rows].any()]
            shown = ", ".join(gone[:6]) + (f" and {len(gone) - 6} more" if len(gone) > 6 else "")
            why = f" ({', '.join(unset)} {'is' if len(unset) == 1 else 'are'} never set for them)" if unset else ""
            out.append((require.line, f"this require removes every sample with {statement.axis} {shown}{why}; "
                                      f"they will not appear in the dataset"))
    return out


VARIANT_PILOT_SAMPLES = 2_000


def check_variant_pilot(spec: Spec, n: int = VARIANT_PILOT_SAMPLES) -> str | None:
    """A diagnostic message when drawn variants cannot meet the requires for some pilot sample
    (every named axis held by the base sample makes them impossible), else None."""
    from psynth_spec.errors import SamplingError
    from psynth_spec.sampler import sample_range

    if spec.variants is None or not spec.variants.random or not spec.requires:
        return None
    try:
        sample_range(spec, 0, min(n, spec.samples), where=f"the compile pilot of {min(n, spec.samples):,} samples")
    except SamplingError as exc:
        message = str(exc).split(": ", 1)[-1]
        return f"{message}; the requires leave some samples no variant values"
    return None
