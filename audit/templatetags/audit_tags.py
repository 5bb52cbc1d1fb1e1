from django import template

from audit.paper_text import highlighted, marks

register = template.Library()


@register.filter
def with_terms(sentence):
    """A seed sentence's text with the words that made it one marked."""
    return highlighted(sentence.text, marks(sentence) if sentence.is_seed else [])


@register.filter
def percent(share: float) -> str:
    """A share for people: 0.05 -> "5%", 0.125 -> "12.5%"."""
    return f"{share * 100:.3g}%"
