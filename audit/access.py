"""Who may see what: one rule, used by every page that shows a corpus or a paper.

Outsiders get 404 rather than 403, so that the existence of a corpus does not leak.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from audit.models import Corpus, Paper


def visible_corpus(user, corpus_id: int) -> Corpus:
    return get_object_or_404(Corpus.objects.visible_to(user), pk=corpus_id)


def visible_paper(user, paper_id: int) -> Paper:
    corpora = Corpus.objects.visible_to(user)
    return get_object_or_404(
        Paper.objects.select_related("corpus"), pk=paper_id, corpus__in=corpora
    )
