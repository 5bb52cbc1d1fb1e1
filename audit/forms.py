from __future__ import annotations

from django import forms

from audit.models import Corpus, Paper


class CorpusForm(forms.ModelForm):
    class Meta:
        model = Corpus
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        help_text="PDFs, .zip archives of PDFs, and .bib files with the papers' metadata."
    )


class MetadataForm(forms.ModelForm):
    authors = forms.CharField(
        required=False, help_text="One author per line.", widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Paper
        fields = ["title", "authors", "year", "venue", "anthology_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["authors"] = "\n".join(self.instance.authors)

    def clean_authors(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["authors"].splitlines() if line.strip()]
