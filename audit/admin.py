from django.contrib import admin

from audit.models import Claim, Corpus, Experiment, Paper, Run, Sentence


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["__str__", "corpus", "year", "venue", "status", "pages"]
    list_filter = ["status", "corpus", "year"]
    search_fields = ["title", "original_name", "sha256"]
    readonly_fields = ["sha256", "size_bytes", "created_at", "processed_at"]


@admin.register(Sentence)
class SentenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "paper", "page", "section", "is_seed", "suggested_label"]
    list_filter = ["is_seed", "kind", "suggested_label"]
    search_fields = ["text"]
    raw_id_fields = ["paper"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["pk", "paper", "label", "claimed_score", "setup", "other_setup", "verdict"]
    raw_id_fields = ["paper", "sentence"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["pk", "setup", "kind", "n", "status", "runs_done", "claim"]
    list_filter = ["kind", "status", "setup"]
    raw_id_fields = ["claim"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "experiment",
        "seed",
        "device",
        "deterministic",
        "dev_metric",
        "test_metric",
    ]
    list_filter = ["device", "deterministic"]
    raw_id_fields = ["experiment"]
