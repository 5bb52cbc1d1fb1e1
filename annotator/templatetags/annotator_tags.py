from django import template

from audit.taxonomy import BY_LABEL, Group, Label

register = template.Library()


@register.filter
def label_name(value: str) -> str:
    """A label's or a group's name for people: "fixed_seed" -> "Single fixed seed"."""
    if value in Label.values:
        return Label(value).label
    if value in Group.values:
        return Group(value).label
    return value or "—"


@register.filter
def label_group(value: str) -> str:
    """The safe / risky / none group of a label (or a group itself), for colouring."""
    if value in BY_LABEL:
        return BY_LABEL[value].group.value
    return value


@register.filter
def label_short(value: str) -> str:
    """A column heading: a label's key and first word ("4 Single"), a group's name."""
    if value in BY_LABEL:
        category = BY_LABEL[value]
        return f"{category.key} {category.name.split()[0]}"
    return label_name(value)


@register.filter
def figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def interval(estimate) -> str:
    """An agreement figure's interval in brackets; "[no interval]" where it is withheld."""
    if estimate.value is not None and estimate.low is None:
        return "[no interval]"
    return f"[{figure(estimate.low)}, {figure(estimate.high)}]"


@register.filter
def pair_rows(matrix, categories):
    """The upper triangle of a pair-count matrix as rows of (category, cells); None below."""
    return [
        (category, [int(matrix[i][j]) if j >= i else None for j in range(len(categories))])
        for i, category in enumerate(categories)
    ]
