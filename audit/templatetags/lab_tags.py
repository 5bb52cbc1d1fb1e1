"""The lab's "Test this claim" button on the paper page (see `audit.lab.claims`)."""

from __future__ import annotations

from django import template

from audit.lab.claims import SentenceClaims, sentence_claims

register = template.Library()


@register.simple_tag(takes_context=True)
def lab_claims(context, sentence) -> SentenceClaims | None:
    """The sentence's label and lab claims, worked out once per page for all seed sentences of
    its paper: the button is included once per sentence."""
    request = context["request"]
    found = getattr(request, "_lab_sentence_claims", {})
    if sentence.pk not in found:
        found = sentence_claims(sentence.paper_id, request.user)
        request._lab_sentence_claims = found
    return found.get(sentence.pk)


@register.filter
def duration(seconds: float) -> str:
    """A time for people, as the claim form's script writes it too: "40 s", "3 min", "1.5 h"."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
