"""The `each object { ... }` block of a multi-object scene: per-object statements, checked.

Only axes the registry marks `per_object` (material, texture.pattern, geometry.*) may appear
inside; their conditions may read the spec's top-level axes. A spec is multi-object when it
states `scene.objects` or has an `each object` block; its samples table then gains one list
column per per-object axis (`objects_<column>`, see docs/data-contract.md).
"""

from collections.abc import Callable

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.check_axes import AxisContext
from psynth_spec.diagnostics import did_you_mean
from psynth_spec.objects_axis import COUNT_AXIS

EACH_WORD = "object"


def check_each_blocks(
    ctx: AxisContext,
    blocks: list[n.EachObject],
    stated: set[str],
    lower: Callable[[n.Sample | n.Fix, dict[str, n.Span]], s.AxisStatement | None],
) -> s.ObjectsSpec | None:
    """Lower the `each object` blocks; None for a single-object spec.

    `lower(stmt, taken)` lowers one statement (reporting a duplicate against `taken`).
    """
    report, taxonomy = ctx.report, ctx.taxonomy
    per_object = [a.path for a in taxonomy.axes if a.per_object]
    statements: list[s.AxisStatement] = []
    first: n.EachObject | None = None
    for block in blocks:
        if block.word.text != EACH_WORD:
            report.error(
                block.word.span, "unknown-each", f"`each {block.word.text}` is not a block; write `each object {{ ... }}`",
                did_you_mean(block.word.text, [EACH_WORD]),
            )
            continue
        if first is not None:
            report.error(
                block.word.span, "duplicate-block",
                f"`each object` is written twice (first on line {first.span.line})", "merge the two blocks",
            )
            continue
        first = block
        taken: dict[str, n.Span] = {}
        for stmt in block.statements:
            axis = taxonomy.axis_by_path.get(stmt.axis.text)
            if axis is not None and not axis.per_object:
                report.error(
                    stmt.axis.span, "not-per-object",
                    f"{axis.path} is one value per scene, not per object; only "
                    f"{', '.join(per_object)} may be stated inside `each object`",
                    did_you_mean(stmt.axis.text, per_object) or f"state {axis.path} outside the block",
                )
                continue
            lowered = lower(stmt, taken)
            if lowered is not None:
                statements.append(lowered)
            if axis is not None and stmt.axis.text not in taken:
                taken[stmt.axis.text] = stmt.axis.span
    if first is not None and COUNT_AXIS not in stated:
        report.error(
            first.word.span, "missing-axis",
            f"`each object` needs {COUNT_AXIS}, else every scene has one object",
            f"add e.g. `{COUNT_AXIS} ~ randint(1, 8)`",
        )
    if first is None and COUNT_AXIS not in stated:
        return None
    return s.ObjectsSpec(axes=tuple(per_object), statements=tuple(statements))
