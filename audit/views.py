from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotator.work import work_of
from audit import actions
from audit.access import (
    can_write_corpus,
    visible_corpora,
    visible_corpus,
    visible_paper,
    writable_corpus,
    writable_paper,
)
from audit.forms import CorpusForm, MetadataForm, UploadForm
from audit.ingest.sources import from_file
from audit.models import Corpus, Paper
from audit.paper_text import paper_sections
from audit.tasks import queue_paper


def _with_seed_counts(papers):
    return papers.annotate(seed_count=Count("sentences", filter=Q(sentences__is_seed=True)))


def favicon(request):
    return redirect(static("audit/favicon.svg"), permanent=True)


@login_required
def home(request):
    corpora = visible_corpora(request.user).annotate(
        paper_count=Count("papers", distinct=True),
        seed_count=Count("papers__sentences", filter=Q(papers__sentences__is_seed=True)),
    )
    context = {"corpora": corpora, "form": CorpusForm(), "work": work_of(request.user)}
    return render(request, "audit/home.html", context)


@login_required
@require_POST
def corpus_create(request):
    form = CorpusForm(request.POST)
    if not form.is_valid():
        context = {"corpora": visible_corpora(request.user), "form": form}
        return render(
            request, "audit/home.html", context | {"work": work_of(request.user)}, status=400
        )
    corpus = form.save(commit=False)
    corpus.owner = request.user
    corpus.save()
    return redirect("corpus", corpus_id=corpus.pk)


@login_required
def corpus_detail(request, corpus_id: int):
    corpus = visible_corpus(request.user, corpus_id)
    papers = _with_seed_counts(corpus.papers.all())
    filters = {key: request.GET.get(key, "") for key in ("year", "venue", "status", "seeds")}
    if filters["year"].isdigit():
        papers = papers.filter(year=int(filters["year"]))
    if filters["venue"]:
        papers = papers.filter(venue=filters["venue"])
    if filters["status"] in Paper.Status.values:
        papers = papers.filter(status=filters["status"])
    if filters["seeds"] == "yes":
        papers = papers.filter(seed_count__gt=0)
    elif filters["seeds"] == "no":
        papers = papers.filter(seed_count=0, status=Paper.Status.DONE)
    # order_by() clears Paper's default ordering, whose columns would defeat the DISTINCT.
    years = corpus.papers.exclude(year=None).order_by().values_list("year", flat=True)
    venues = corpus.papers.exclude(venue="").order_by().values_list("venue", flat=True)
    context = {
        "corpus": corpus,
        "papers": papers.order_by("-created_at", "pk"),
        "filters": filters,
        "years": sorted(years.distinct(), reverse=True),
        "venues": sorted(venues.distinct()),
        "statuses": Paper.Status.choices,
        "upload_form": UploadForm(),
        "can_write": can_write_corpus(request.user, corpus),
        "max_pdf_mb": settings.SEEDAUDIT_MAX_PDF_MB,
    }
    return render(request, "audit/corpus.html", context)


@login_required
@require_POST
def corpus_upload(request, corpus_id: int):
    corpus = writable_corpus(request.user, corpus_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose at least one PDF, .zip or .bib file to upload.")
        return _back_to_corpus(request, corpus)
    limits = actions.upload_limits()
    added = duplicates = failed = 0
    for upload in form.cleaned_data["files"]:
        if upload.name.lower().endswith(".bib"):
            try:
                matched = actions.add_bibliography(corpus, upload.read().decode("utf-8", "replace"))
            except ValueError as error:
                messages.error(request, f"{upload.name}: {error}")
            else:
                messages.success(
                    request, f"{upload.name}: metadata matched {_count(matched, 'paper')}."
                )
            continue
        for source in from_file(upload.name, upload, upload.size, limits):
            result = actions.add_source(corpus, source)
            if not result.created:
                duplicates += 1
                continue
            if result.paper.status == Paper.Status.PENDING:
                added += 1
                queue_paper(result.paper.pk)
            else:
                failed += 1
    if added:
        messages.success(request, f"Added {_count(added, 'paper')}; they are being processed.")
    if failed:
        messages.error(
            request, f"{_count(failed, 'file')} could not be read: the list below says why."
        )
    if duplicates:
        were = "was" if duplicates == 1 else "were"
        messages.info(request, f"{_count(duplicates, 'file')} {were} already in this corpus.")
    return _back_to_corpus(request, corpus)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _back_to_corpus(request, corpus: Corpus):
    # The page uploads with XMLHttpRequest to show upload progress; it then navigates itself,
    # and the messages wait for that page.
    url = reverse("corpus", kwargs={"corpus_id": corpus.pk})
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"next": url})
    return redirect(url)


@login_required
def corpus_status(request, corpus_id: int):
    corpus = visible_corpus(request.user, corpus_id)
    papers = _with_seed_counts(corpus.papers.all()).values(
        "pk", "status", "progress", "error", "title", "original_name", "year", "pages", "seed_count"
    )
    return JsonResponse({"papers": list(papers)})


def _paper_page(request, paper: Paper, form: MetadataForm, status: int = 200):
    sentences = list(paper.sentences.all())
    context = {
        "paper": paper,
        "sections": paper_sections(sentences),
        "seed_sentences": [s for s in sentences if s.is_seed],
        "metadata_form": form,
        "can_write": can_write_corpus(request.user, paper.corpus),
    }
    return render(request, "audit/paper.html", context, status=status)


@login_required
def paper_detail(request, paper_id: int):
    paper = visible_paper(request.user, paper_id)
    return _paper_page(request, paper, MetadataForm(instance=paper))


@login_required
@require_POST
def paper_metadata(request, paper_id: int):
    paper = writable_paper(request.user, paper_id)
    form = MetadataForm(request.POST, instance=Paper.objects.get(pk=paper.pk))
    if not form.is_valid():
        return _paper_page(request, paper, form, status=400)
    changed = {name: form.cleaned_data[name] for name in form.changed_data}
    if changed:
        actions.update_metadata(paper, changed)
        messages.success(request, "Metadata saved.")
    return redirect("paper", paper_id=paper.pk)


@login_required
@require_POST
def paper_reprocess(request, paper_id: int):
    paper = writable_paper(request.user, paper_id)
    if not paper.file:
        raise Http404("This paper has no stored file to process.")
    actions.reprocess(paper)
    queue_paper(paper.pk)
    messages.info(request, "The paper is queued for processing again.")
    return redirect("corpus", corpus_id=paper.corpus_id)


@login_required
@require_POST
def paper_delete(request, paper_id: int):
    paper = writable_paper(request.user, paper_id)
    if paper.status != Paper.Status.FAILED:
        messages.error(request, "Only a paper that failed can be deleted.")
        return redirect("paper", paper_id=paper.pk)
    actions.delete_failed_paper(paper)
    messages.info(request, f"Deleted {paper.file_name}.")
    return redirect("corpus", corpus_id=paper.corpus_id)


@login_required
def paper_pdf(request, paper_id: int):
    paper = visible_paper(request.user, paper_id)
    if not paper.file:
        raise Http404("No file is stored for this paper.")
    name = paper.original_name.rsplit("/", 1)[-1]
    return FileResponse(paper.file.open("rb"), content_type="application/pdf", filename=name)
