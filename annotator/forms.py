from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from annotator.models import MAX_OVERLAP, Membership, Project
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
        roles = {}
        for role, name in (
            (Membership.Role.ANNOTATOR, "annotators"),
            (Membership.Role.ADJUDICATOR, "adjudicators"),
            (Membership.Role.REVIEWER, "reviewers"),
        ):
            for user in cleaned.get(name, []):
                if user in roles:
                    raise forms.ValidationError(f"{user} can have one role only.")
                roles[user] = role
        cleaned["members"] = roles
        return cleaned


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=_users(), to_field_name="username")
    role = forms.ChoiceField(
        choices=[*Membership.Role.choices, ("", "Remove from the project")],
        required=False,
        initial=Membership.Role.ANNOTATOR,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users()


class OverlapForm(forms.Form):
    overlap = forms.IntegerField(min_value=1, max_value=MAX_OVERLAP)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="An annotations export: JSON lines or CSV.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_MB * 2**20:
            raise forms.ValidationError(f"An annotations file may be {MAX_IMPORT_MB} MB at most.")
        return upload
