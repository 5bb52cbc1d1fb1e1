from django.contrib import admin

from audit.models import Corpus, Paper, Sentence


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
