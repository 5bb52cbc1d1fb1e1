from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from annotator.models import Project
from audit.models import Corpus
from audit.reports.basis import Basis, Selection


class SelectionForm(forms.Form):
    """A report's query string: how to count, from which project, over which papers."""

    basis = forms.ChoiceField(choices=Basis.choices, required=False)
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False)
    year_from = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    year_to = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    venue = forms.CharField(required=False, max_length=500)

    def __init__(self, data, projects: QuerySet[Project]):
        super().__init__(data)
        self.fields["project"].queryset = projects

    def selection(self, corpus: Corpus, default_basis: Basis) -> Selection:
        """The selection asked for; the default basis, and the corpus's default project when
        the user may see its labels, for what the query leaves out."""
        data = self.cleaned_data
        project = data["project"] or self.fields["project"].queryset.filter(is_default=True).first()
        return Selection(
            corpus=corpus,
            project=project,
            basis=Basis(data["basis"] or default_basis),
            year_from=data["year_from"],
            year_to=data["year_to"],
            venue=data["venue"],
        )
