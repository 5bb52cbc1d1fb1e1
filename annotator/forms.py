from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib.auth import get_user_model

from annotator.models import MAX_OVERLAP, Membership, Project
from audit.access import role_set_error
from audit.models import Corpus

MAX_IMPORT_MB = 20


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class ProjectForm(forms.ModelForm):
    annotators = forms.ModelMultipleChoiceField(queryset=_users(), required=False)
    adjudicators = forms.ModelMultipleChoiceField(queryset=_users(), required=False)
    reviewers = forms.ModelMultipleChoiceField(queryset=_users(), required=False)

    class Meta:
        model = Project
        fields = ["corpus", "name", "overlap", "order", "probe_share"]
        widgets = {
            "overlap": forms.NumberInput(attrs={"min": 1, "max": MAX_OVERLAP}),
            "probe_share": forms.NumberInput(attrs={"min": 0, "max": 0.5, "step": 0.01}),
        }
        labels = {"probe_share": "Recall probes (share of each queue)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corpus"].queryset = Corpus.objects.order_by("name")
        for name in ("annotators", "adjudicators", "reviewers"):
            self.fields[name].queryset = _users()

    def clean_overlap(self) -> int:
        overlap = self.cleaned_data["overlap"]
        if not 1 <= overlap <= MAX_OVERLAP:
            raise forms.ValidationError(f"Between 1 and {MAX_OVERLAP}.")
        return overlap

    def clean_probe_share(self) -> float:
        share = self.cleaned_data["probe_share"]
        if not 0 <= share <= 0.5:
            raise forms.ValidationError("Between 0 and 0.5.")
        return share

    def clean(self):
        cleaned = super().clean()
        roles = defaultdict(set)
        for role, name in (
            (Membership.Role.ANNOTATOR, "annotators"),
            (Membership.Role.ADJUDICATOR, "adjudicators"),
            (Membership.Role.REVIEWER, "reviewers"),
        ):
            for user in cleaned.get(name, []):
                roles[user].add(role)
        for user, held in roles.items():
            if why := role_set_error(held):
                raise forms.ValidationError(f"{user}: {why}.")
        cleaned["members"] = [(user, role) for user, held in roles.items() for role in held]
        return cleaned


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=_users(), to_field_name="username")
    roles = forms.MultipleChoiceField(
        choices=Membership.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[Membership.Role.ANNOTATOR],
        help_text="None: take them out of the project.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users()

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if why := role_set_error(roles):
            raise forms.ValidationError(f"{why[0].upper()}{why[1:]}.")
        return roles


class OverlapForm(forms.Form):
    overlap = forms.IntegerField(min_value=1, max_value=MAX_OVERLAP)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="An annotations export: JSON lines or CSV.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_MB * 2**20:
            raise forms.ValidationError(f"An annotations file may be {MAX_IMPORT_MB} MB at most.")
        return upload
