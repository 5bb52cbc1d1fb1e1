from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from annotator.models import Project
from audit.models import Corpus
from audit.reports.basis import Basis, Selection


class SelectionForm(forms.Form):
    """A report's query string: how to count, from which project, over which papers."""

    basis = forms.ChoiceField(label="Count", choices=Basis.choices, required=False)
    project = forms.ModelChoiceField(
        label="Labels from",
        queryset=Project.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "this corpus has no such project whose labels you may see; "
            "the default is shown."
        },
    )
    year_from = forms.IntegerField(
        label="From year", required=False, min_value=1900, max_value=2100
    )
    year_to = forms.IntegerField(label="To year", required=False, min_value=1900, max_value=2100)
    venue = forms.CharField(required=False, max_length=500)

    def __init__(self, data, projects: QuerySet[Project]):
        super().__init__(data)
        self.fields["project"].queryset = projects

    def selection(self, corpus: Corpus, default_basis: Basis) -> Selection:
        """The selection asked for; the default basis, and the corpus's default project when
        the user may see its labels, for what the query leaves out or got wrong."""
        data = self.cleaned_data
        projects = self.fields["project"].queryset
        return Selection(
            corpus=corpus,
            project=data.get("project") or projects.filter(is_default=True).first(),
            basis=Basis(data.get("basis") or default_basis),
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            venue=data.get("venue", ""),
        )
