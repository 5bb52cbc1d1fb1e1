from django import template

from audit.paper_text import highlighted

register = template.Library()


@register.filter
def with_terms(sentence):
    """A sentence's text with its seed terms marked."""
    return highlighted(sentence.text, sentence.spans)
