"""English spelling rules captions need (one place, so every caption agrees)."""

_AN_EXCEPTIONS = ("uni", "use", "one", "euro", "ewe")
_AN_SILENT_H = ("hour", "honest", "honor", "heir")


def article(label: str) -> str:
    """'a' or 'an' for a label (a simple spelling rule with the common exceptions)."""
    word = label.lower()
    if word.startswith(_AN_SILENT_H):
        return "an"
    if word.startswith(_AN_EXCEPTIONS):
        return "a"
    return "an" if word[:1] in "aeiou" else "a"
