from django import template

from audit.paper_text import highlighted, marks

register = template.Library()


@register.filter
def with_terms(sentence):
    """A seed sentence's text with the words that made it one marked."""
    return highlighted(sentence.text, marks(sentence) if sentence.is_seed else [])
