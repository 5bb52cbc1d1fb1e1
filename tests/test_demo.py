"""`manage.py demo --no-serve`: the data README's first command starts the app with."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from annotator.models import Assignment
from audit.models import Corpus, Paper

pytestmark = pytest.mark.django_db


def demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def test_it_loads_the_demo_papers_and_a_project_to_label_them():
    first = demo()
    password = re.search(r"password '([^']+)'", first).group(1)
    user = authenticate(username="demo", password=password)
    assert user is not None and user.is_staff

    corpus = Corpus.objects.get(name="Demo papers")
    assert corpus.papers.count() == 5
    assert set(corpus.papers.values_list("status", flat=True)) == {Paper.Status.DONE}
    assert corpus.papers.filter(sentences__is_seed=True).count() >= 5
    assert Assignment.objects.filter(annotator=user, project__corpus=corpus).exists()


def test_running_it_again_changes_nothing_and_shows_no_password():
    demo()
    counts = (Paper.objects.count(), Assignment.objects.count())
    second = demo()
    assert "password '" not in second
    assert (Paper.objects.count(), Assignment.objects.count()) == counts
