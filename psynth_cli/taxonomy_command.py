"""`psynth taxonomy [NODE]`: browse the concept tree and the axis registry.

Without NODE: every concept (name and display label) and every axis. With NODE (a concept
path such as `materials.metal`, or an axis such as `material`): that subtree, and the axes whose
domain contains it or lies inside it, with their family (the axes under the same first name,
e.g. `material.roughness`, or `texture.scale` beside `texture.pattern`).
"""

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "node",
        nargs="?",
        help="a concept path (materials.metal) or an axis (material); default: everything",
    )
    parser.add_argument("--json", action="store_true", help="print the subtree and axes as JSON")
    parser.add_argument(
        "--depth", type=int, default=None, help="show at most this many levels of the tree"
    )
    parser.add_argument(
        "--synonyms", action="store_true", help="show each concept's synonyms in the tree"
    )
    parser.add_argument("--markdown", action="store_true",
                        help="print every axis and concept as Markdown (docs/taxonomy.md is this output)")


def run(args: argparse.Namespace) -> int:
    from psynth_spec.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    if args.markdown:
        if args.node is not None or args.json:
            from psynth_cli.usage import UsageError

            raise UsageError("--markdown prints the whole taxonomy: no NODE, no --json")
        from psynth_cli.taxonomy_markdown import taxonomy_markdown

        sys.stdout.write(taxonomy_markdown(taxonomy))
        return 0
    try:
        roots, axes = select(taxonomy, args.node)
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        if len(exc.args) > 1 and exc.args[1]:
            print(f"help: {exc.args[1]}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(as_json(taxonomy, roots, axes), indent=2, ensure_ascii=False))
        return 0
    print_tree_and_axes(taxonomy, roots, axes, args.depth, args.synonyms)
    return 0


def select(taxonomy, node: str | None):
    """The concept roots to show and the axes that belong with them.

    Raises LookupError(message, hint) for an unknown node.
    """
    if node is None:
        return list(taxonomy.roots), list(taxonomy.axes)
    axis = taxonomy.axis_by_path.get(node)
    if axis is not None and axis.domain is None:
        return [], [axis]
    path = axis.domain if axis is not None else node
    concept = taxonomy.concept(path)
    if concept is None:
        from psynth_spec.diagnostics import did_you_mean

        names = set(taxonomy.concepts) | set(taxonomy.axis_by_path)
        raise LookupError(f"unknown taxonomy node or axis '{node}'", did_you_mean(node, names))
    related = [
        a
        for a in taxonomy.axes
        if a.domain is not None
        and (a.domain == path or a.domain.startswith(path + ".") or path.startswith(a.domain + "."))
    ]
    # each related axis brings its family: the axes under the same first name
    # (texture.pattern -> texture.scale, texture.mapping; material -> material.roughness...)
    families = {a.path.split(".")[0] for a in related}
    axes = [a for a in taxonomy.axes if a.path.split(".")[0] in families]
    return [concept], axes


def _range(axis) -> str:
    if axis.range is None:
        return ""
    lo, hi = axis.range
    return f"{_num(lo)}..{_num(hi)}"


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _default(axis) -> str:
    origin = axis.default_from
    if origin is not None:
        if origin.kind == "concept":
            text = f"{origin.axis}'s {origin.param}"
        else:
            text = f"the render block's {origin.field}"
        if axis.default is not None:
            text += f"; {_value(axis.default)} by default"
        return text
    return _value(axis.default)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _num(v)
    return str(v)


def print_tree_and_axes(taxonomy, roots, axes, depth: int | None, synonyms: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.tree import Tree

    console = Console(width=None if sys.stdout.isatty() else 120, highlight=False)

    def line(concept) -> str:
        text = f"[bold]{escape(concept.name)}[/]  [cyan]{escape(concept.label)}[/]"
        if synonyms and concept.synonyms:
            text += "  [dim](" + escape(", ".join(concept.synonyms)) + ")[/]"
        if not concept.is_leaf:
            text += f"  [dim]{len(taxonomy.leaves(concept.id))} leaves[/]"
        return text

    def add(branch, concept, level: int) -> None:
        if depth is not None and level >= depth:
            return
        for child in concept.children:
            add(branch.add(line(child)), child, level + 1)

    for root in roots:
        title = f"[bold]{escape(root.id)}[/]  [cyan]{escape(root.label)}[/]"
        if not root.is_leaf:
            title += f"  [dim]{len(taxonomy.leaves(root.id))} leaves[/]"
        tree = Tree(title)
        add(tree, root, 0)
        console.print(tree)
    if axes:
        table = Table(title="axes", title_justify="left", show_lines=False)
        for column in ("axis", "type", "unit", "range", "domain", "default"):
            table.add_column(column, overflow="fold")
        for a in axes:
            table.add_row(
                escape(a.path), a.type, escape(a.unit or ""), _range(a), escape(a.domain or ""),
                escape(_default(a)),
            )
        console.print(table)


def as_json(taxonomy, roots, axes) -> dict:
    def node(concept) -> dict:
        out = {"id": concept.id, "label": concept.label, "synonyms": list(concept.synonyms),
               "description": concept.description}
        if concept.is_leaf:
            out["render"] = concept.render
        else:
            out["children"] = [node(c) for c in concept.children]
        return out

    return {
        "version": taxonomy.version,
        "concepts": [node(r) for r in roots],
        "axes": [a.model_dump(exclude_none=True) for a in axes],
    }
