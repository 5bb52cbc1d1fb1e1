"""The comparison page's one form: scores pasted as text or uploaded as a CSV file."""

from __future__ import annotations

from django import forms

from audit.compare.scores_csv import MAX_BYTES, MAX_ROWS, CsvError, read_upload


class ScoresForm(forms.Form):
    scores = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_BYTES,
        error_messages={
            "max_length": f"The pasted scores are longer than {MAX_BYTES // 2**20} MB of text; "
            f"this page reads at most that much (and at most {MAX_ROWS:,} rows)."
        },
        label="Paste scores (CSV)",
        widget=forms.Textarea(
            attrs={"rows": 10, "spellcheck": "false", "placeholder": "system,score,seed,lr"}
        ),
    )
    file = forms.FileField(required=False, label="or upload a CSV file")
    claimed_better = forms.CharField(
        required=False,
        max_length=200,
        label="Claimed better (optional)",
        help_text="The system said to beat the other before the scores were seen, as a paper "
        "says its model beats a baseline: its name as in the scores. The verdict then tests "
        "that claim one-sided. Leave empty for none: a two-sided comparison.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["text"] = read_upload(upload.read(MAX_BYTES + 1))
            except CsvError as error:
                self.add_error("file", str(error))
        elif cleaned.get("scores", "").strip():
            cleaned["text"] = cleaned["scores"]
        else:
            raise forms.ValidationError("Paste scores or choose a CSV file.")
        cleaned["claimed_better"] = cleaned.get("claimed_better", "").strip() or None
        return cleaned
