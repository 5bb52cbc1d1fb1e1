"""The reviewer checklist of real ingested and annotated papers, in every format; a corpus's
checklists from the command line and as a .zip; lab report links; who sees what."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import actions
from audit.documents import PdfDocument
from audit.lab import actions as lab_actions
from audit.models import Corpus, Paper
from audit.reports.checklist_files import FOOTER, SILENT
from tests.conftest import OUTPUT_DIR
from tests.test_annotator_support import person
from tests.test_reports_support import ALL_PAPERS, labelled_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(corpus, corpus_dir, bob):
    return labelled_corpus(corpus, corpus_dir, bob, person("dave"))


def paper_named(corpus: Corpus, prefix: str) -> Paper:
    return corpus.papers.get(original_name__contains=prefix)


def download(client, paper: Paper, fmt: str, **query) -> bytes:
    response = client.get(f"/papers/{paper.pk}/checklist.{fmt}", query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{paper.pk}-')
    return response.content


def pdf_text(content: bytes, keep_as: str = "") -> str:
    """The PDF's text, spaced evenly; with `keep_as`, its pages as PNGs in test-output/ to look
    at."""
    if keep_as:
        OUTPUT_DIR.mkdir(exist_ok=True)
        document = pypdfium2.PdfDocument(content)
        for number in range(len(document)):
            image = document[number].render(scale=1.5).to_pil()
            image.save(OUTPUT_DIR / f"{keep_as}-page{number + 1}.png")
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = " ".join(page.extract_text() for page in pdf.pages)
    return " ".join(text.split())  # lines wrap where the layout wraps them


class TestContent:
    def test_a_fixed_seed_is_quoted_with_its_page_and_what_to_ask_for_instead(
        self, client, alice, corpus, project
    ):
        li = paper_named(corpus, "li2022")
        client.force_login(alice)

        checklist = json.loads(download(client, li, "json"))

        (fixed,) = checklist["risky"]
        assert fixed["label"] == "fixed_seed"
        assert [(s["page"], s["section"], s["label_source"]) for s in fixed["sentences"]] == [
            (6, "6.1 Experimental Setup", "final")
        ]
        assert fixed["sentences"][0]["text"].startswith(
            "Each experiment is run using a random seed"
        )
        assert "other hardware" in fixed["why"]
        assert fixed["instead"][0].startswith("Tune the seed like any other hyperparameter")
        assert fixed["source"] == "Bethard (2022), §2.4"
        assert checklist["safe"] == [] and checklist["primary_category"] == "fixed_seed"
        checks = {c["key"]: c for c in checklist["checks"]}
        assert not checks["no_fixed_seed"]["ticked"]
        assert (
            checks["no_fixed_seed"]["note"]
            == "p. 6, 6.1 Experimental Setup uses a single fixed seed."
        )
        assert checks["fixed_seed_caveat"]["note"].startswith("Needed:")

    def test_safe_and_risky_uses_are_grouped_and_the_labels_pre_tick_the_boxes(
        self, client, alice, corpus, project
    ):
        zhang = paper_named(corpus, "zhang2023")
        client.force_login(alice)

        checklist = json.loads(download(client, zhang, "json"))

        assert [g["label"] for g in checklist["risky"]] == ["performance_comparison"]
        assert [g["label"] for g in checklist["safe"]] == ["model_selection"]
        assert "bootstrap samples of the test set" in checklist["risky"][0]["instead"][0]
        assert [(s["page"], s["label"]) for s in checklist["other"]] == [(7, "not_seed_use")]
        ticked = {c["key"]: c["ticked"] for c in checklist["checks"]}
        assert ticked == {
            "runs_reported": True,  # "5 random seeds"
            "variation_reported": False,
            "seed_tuned": True,  # the grid search over seeds
            "no_fixed_seed": True,
            "sound_comparison": False,
            "fixed_seed_caveat": False,
        }
        notes = {c["key"]: c["note"] for c in checklist["checks"]}
        assert notes["runs_reported"] == 'p. 3, 3.2 Adaptive Prefix Tuning: "5 random seeds"'
        assert notes["sound_comparison"].endswith("compares distributions over seeds alone.")

    def test_it_says_how_labels_count_and_falls_back_to_suggestions_by_default(
        self, client, alice, corpus, project
    ):
        kecp = paper_named(corpus, "wang2022")  # dave left its p. 11 sentence unlabelled
        client.force_login(alice)

        suggested = json.loads(download(client, kecp, "json"))
        final = json.loads(download(client, kecp, "json", basis="final"))

        assert suggested["counted_by"]["basis"] == "suggested"
        assert suggested["counted_by"]["project"] == "pilot"
        assert [(s["page"], s["label"], s["label_source"]) for s in suggested["other"]] == [
            (11, "not_seed_use", "suggested")
        ]
        assert [(s["page"], s["label"], s["label_source"]) for s in final["other"]] == [
            (11, None, None)
        ]
        assert final["counted_by"]["description"].startswith("all final labels (project pilot)")

    def test_a_paper_that_never_mentions_a_seed_gets_bethards_caveat(
        self, client, alice, corpus, project
    ):
        choshen = paper_named(corpus, "choshen2019")
        client.force_login(alice)

        markdown = download(client, choshen, "md").decode()

        assert SILENT in markdown
        assert "Primary category: **no seed use found**" in markdown


class TestFormats:
    def test_the_markdown_has_quotes_advice_and_boxes_to_paste_into_a_review(
        self, client, alice, corpus, project
    ):
        zhang = paper_named(corpus, "zhang2023")
        client.force_login(alice)

        markdown = download(client, zhang, "md").decode()

        assert markdown.startswith(
            "# Random-seed checklist: Towards Adaptive Prefix Tuning for Parameter-Efficient"
        )
        assert "ACL 2023 · zhang2023-adaptive-prefix-tuning.pdf · [paper in seedaudit](" in (
            markdown
        )
        assert "## Risky uses\n\n### Performance comparison\n" in markdown
        assert "> — p. 3, 3.2 Adaptive Prefix Tuning · final label" in markdown
        assert "**Why this is risky** (Bethard 2022, §2.5)." in markdown
        assert "- [x] Says how many runs (seeds) each reported result rests on. — p. 3" in markdown
        assert "- [ ] Compares systems soundly" in markdown

    def test_html_in_titles_and_sentences_stays_text_in_the_markdown(
        self, client, alice, corpus, project
    ):
        li = paper_named(corpus, "li2022")
        actions.update_metadata(li, {"title": "<script>alert('title')</script> Deixis"})
        sentence = li.sentences.filter(is_seed=True).first()
        sentence.text = "<img src=x onerror=alert(1)> " + sentence.text
        sentence.save(update_fields=["text"])
        client.force_login(alice)

        markdown = download(client, li, "md").decode()

        assert "<script>" not in markdown and "<img" not in markdown
        assert "# Random-seed checklist: &lt;script&gt;alert('title')&lt;/script&gt; Deixis" in (
            markdown
        )
        assert "&lt;img src=x onerror=alert(1)&gt; " in markdown

    def test_the_pdf_reads_as_the_checklist(self, client, alice, corpus, project):
        li = paper_named(corpus, "li2022")
        client.force_login(alice)

        content = download(client, li, "pdf")
        text = pdf_text(content, keep_as="checklist-li2022")

        assert content.startswith(b"%PDF")
        assert "End-to-End Neural Discourse Deixis Resolution in Dialogue" in text
        for heading in ("Risky uses", "Single fixed seed", "Checklist"):
            assert heading in text
        assert "Each experiment is run using a random seed of 11" in text
        assert "p. 6, 6.1 Experimental Setup · final label" in text
        assert "Why this is risky (Bethard 2022, §2.4)." in text
        assert "Does not rely on a single fixed seed to make the results reproducible." in text
        assert "Needed: p. 6, 6.1 Experimental Setup uses a single fixed seed." in text

    def test_no_pdf_page_holds_the_footer_alone_whatever_the_length(self):
        """The footer is set in every page's margin: content that just fills a page never
        pushes it onto a page of its own."""
        for lines in range(30, 75):
            doc = PdfDocument("A paper", "Random-seed checklist", footer=FOOTER, footer_link="x")
            for n in range(lines):
                doc.paragraph(f"Line {n} of the checklist.")
            pages = pypdfium2.PdfDocument(doc.render())
            for page in pages:
                text = page.get_textpage().get_text_range().replace("\r\n", " ")
                body = text.replace(FOOTER, "").replace(" x", "").split()
                assert body, f"{lines} lines: a page with only the footer"
                assert FOOTER in " ".join(text.split())

    def test_the_pdf_of_a_paper_with_safe_and_risky_uses(self, client, alice, corpus, project):
        zhang = paper_named(corpus, "zhang2023")
        client.force_login(alice)

        text = pdf_text(download(client, zhang, "pdf"), keep_as="checklist-zhang2023")

        assert text.index("Risky uses") < text.index("Safe uses") < text.index("Checklist")
        assert 'Pre-ticked: p. 3, 3.2 Adaptive Prefix Tuning: "5 random seeds"' in text

    def test_the_html_file_stands_alone_with_the_sites_look(self, client, alice, corpus, project):
        li = paper_named(corpus, "li2022")
        client.force_login(alice)

        html = download(client, li, "html").decode()

        assert html.startswith("<!doctype html>")
        assert "<style>:root {" in html and ".checklist {" in html  # app.css, inline
        assert 'rel="stylesheet"' not in html and "topbar" not in html.split("<style>")[0]
        assert '<mark class="term">random seed of 11</mark>' in html
        assert '<input type="checkbox" name="runs_reported">' in html
        assert f'href="http://testserver/papers/{li.pk}/"' in html

    def test_the_page_offers_every_download_and_print(self, client, alice, corpus, project):
        zhang = paper_named(corpus, "zhang2023")
        client.force_login(alice)

        html = client.get(f"/papers/{zhang.pk}/checklist/").content.decode()

        for fmt in ("pdf", "md", "html", "json"):
            assert f'href="/papers/{zhang.pk}/checklist.{fmt}?basis=suggested&amp;project=' in html
        assert 'onclick="window.print()"' in html
        assert '<input type="checkbox" name="seed_tuned" checked>' in html


class TestCorpus:
    def test_the_command_writes_a_file_per_paper_into_the_folder(self, corpus, project, tmp_path):
        out = tmp_path / "checklists"

        call_command("export", "checklist", "--corpus", "acl", "--format", "md", "--out", out)

        files = sorted(out.iterdir())
        assert len(files) == len(ALL_PAPERS) == 12
        li = paper_named(corpus, "li2022")
        assert (out / f"{li.pk}-li2022-discourse-deixis-checklist.md").exists()
        assert all(f.read_text().startswith("# Random-seed checklist: ") for f in files)

    def test_the_command_writes_one_papers_checklist_in_each_format(
        self, corpus, project, tmp_path, capsys
    ):
        li = paper_named(corpus, "li2022")
        for fmt in ("md", "json", "html", "pdf"):
            call_command(
                "export", "checklist", "--paper", str(li.pk), "--format", fmt,
                "--out", tmp_path, "--basis", "primary", "--site", "https://audit.example.org",
            )  # fmt: skip
        written = {path.suffix: path for path in tmp_path.iterdir()}

        assert "Wrote the checklist of paper" in capsys.readouterr().out
        checklist = json.loads(written[".json"].read_text())
        assert checklist["paper"]["url"] == f"https://audit.example.org/papers/{li.pk}/"
        assert checklist["counted_by"]["basis"] == "primary"
        assert "random seed of 11" in pdf_text(written[".pdf"].read_bytes())
        assert "random seed of 11" in written[".html"].read_text()
        assert "random seed of 11" in written[".md"].read_text()

    def test_the_corpus_zip_holds_every_papers_checklist(self, client, alice, corpus, project):
        client.force_login(alice)

        response = client.get(f"/corpora/{corpus.pk}/checklists-json.zip")

        assert response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        checklists = [json.loads(archive.read(name)) for name in archive.namelist()]
        assert len(checklists) == 12
        primaries = sorted(c["primary_category"] or "" for c in checklists)
        assert primaries.count("performance_comparison") == 5
        assert {c["counted_by"]["basis"] for c in checklists} == {"suggested"}

    def test_the_command_can_write_the_zip_too(self, corpus, project, tmp_path):
        out = tmp_path / "checklists.zip"

        call_command("export", "checklist", "--corpus", "acl", "--format", "pdf", "--out", out)

        names = zipfile.ZipFile(out).namelist()
        assert len(names) == 12 and all(name.endswith("-checklist.pdf") for name in names)

    def test_unknown_papers_corpora_and_projects_are_errors(self, corpus, project, tmp_path):
        out = str(tmp_path / "x.md")
        with pytest.raises(CommandError, match="no processed paper with id 999999"):
            call_command("export", "checklist", "--paper", "999999", "--format", "md", "--out", out)
        with pytest.raises(CommandError, match="no corpus named 'nope'"):
            call_command("export", "checklist", "--corpus", "nope", "--format", "md", "--out", out)
        with pytest.raises(CommandError, match="has no project named 'nope'"):
            call_command(
                "export", "checklist", "--corpus", "acl", "--project", "nope",
                "--format", "md", "--out", out,
            )  # fmt: skip


class TestLabReports:
    def test_a_lab_report_of_the_paper_is_linked_with_its_one_line_verdict(
        self, client, alice, corpus, project
    ):
        li = paper_named(corpus, "li2022")
        sentence = li.sentences.get(is_seed=True)
        claim = lab_actions.create_claim(
            sentence, setups=["digits-mlp"], claimed_score=0.953, seeds=[11], runs=2
        )
        client.force_login(alice)

        page = client.get(f"/papers/{li.pk}/checklist/").content.decode()
        checklist = json.loads(download(client, li, "json"))
        markdown = download(client, li, "md").decode()
        text = pdf_text(download(client, li, "pdf"))

        link = f"/lab/claims/{claim.pk}/"
        verdict = "Running: 0 of 4 experiments done."
        assert f'<a href="{link}">digits-mlp, claimed score 0.953</a>: {verdict}' in page
        assert checklist["lab_reports"] == [
            {"title": "digits-mlp, claimed score 0.953", "verdict": verdict,
             "url": f"http://testserver{link}"}
        ]  # fmt: skip
        assert f"- [digits-mlp, claimed score 0.953](http://testserver{link}): {verdict}" in (
            markdown
        )
        assert f"digits-mlp, claimed score 0.953: {verdict}" in text

    def test_a_paper_without_lab_reports_has_no_such_section(self, client, alice, corpus, project):
        client.force_login(alice)

        checklist = json.loads(download(client, paper_named(corpus, "li2022"), "json"))

        assert checklist["lab_reports"] == []
        assert "Lab reports" not in download(client, paper_named(corpus, "li2022"), "md").decode()


class TestAccess:
    def test_an_outsider_gets_404_for_every_report(self, client, charlie, corpus, project):
        li = paper_named(corpus, "li2022")
        client.force_login(charlie)

        for url in (
            f"/papers/{li.pk}/checklist/",
            f"/papers/{li.pk}/checklist.pdf",
            f"/corpora/{corpus.pk}/checklists-md.zip",
            f"/corpora/{corpus.pk}/seed-uses/",
            f"/corpora/{corpus.pk}/seed-uses/table1.csv",
            f"/corpora/{corpus.pk}/seed-uses/by-year.svg",
            f"/corpora/{corpus.pk}/seed-uses/spreadsheet.xlsx",
            f"/corpora/{corpus.pk}/seed-uses/spreadsheet-papers.csv",
        ):
            assert client.get(url).status_code == 404, url

    def test_a_paper_that_could_not_be_read_has_no_checklist(self, client, alice, corpus):
        failed = Paper.objects.create(
            corpus=corpus, original_name="scan.pdf", status=Paper.Status.FAILED,
            error="This PDF has no text layer.", progress=100,
        )  # fmt: skip
        client.force_login(alice)

        assert client.get(f"/papers/{failed.pk}/checklist/").status_code == 404
        assert client.get(f"/papers/{failed.pk}/checklist.md").status_code == 404

    def test_an_annotator_of_the_project_never_sees_its_labels(self, client, bob, corpus, project):
        aralikatte = paper_named(corpus, "aralikatte2019")  # dave's label was adjudicated
        client.force_login(bob)

        checklist = json.loads(download(client, aralikatte, "json"))
        page = client.get(f"/papers/{aralikatte.pk}/checklist/").content.decode()
        chosen = client.get(f"/papers/{aralikatte.pk}/checklist/", {"project": project.pk})

        assert checklist["counted_by"]["project"] is None
        assert {s["label_source"] for g in checklist["safe"] for s in g["sentences"]} == {
            "suggested"
        }
        assert "The labels of project pilot are left out for you: you annotate it" in page
        assert "Labels from: this corpus has no such project whose labels you may see" in (
            chosen.content.decode()
        )
        assert "source-final" not in chosen.content.decode()

    def test_a_corpus_member_who_does_not_annotate_sees_the_final_labels(
        self, client, alice, corpus, project
    ):
        client.force_login(alice)

        checklist = json.loads(download(client, paper_named(corpus, "aralikatte2019"), "json"))

        (sensitivity,) = checklist["safe"]
        assert sensitivity["sentences"][0]["label_source"] == "final"


def test_paper_and_corpus_pages_link_the_reports(client, alice, corpus, project):
    li = paper_named(corpus, "li2022")
    client.force_login(alice)

    paper_page = client.get(f"/papers/{li.pk}/").content.decode()
    corpus_page = client.get(f"/corpora/{corpus.pk}/").content.decode()

    assert f'href="/papers/{li.pk}/checklist/">Open the checklist</a>' in paper_page
    assert f'href="/papers/{li.pk}/checklist.pdf" download>PDF</a>' in paper_page
    assert f'href="/corpora/{corpus.pk}/seed-uses/">Seed uses: Table 1 and by year</a>' in (
        corpus_page
    )
    for url in ("seed-uses/spreadsheet.xlsx", "seed-uses/spreadsheet-papers.csv",
                "checklists-pdf.zip", "checklists-md.zip"):  # fmt: skip
        assert f'href="/corpora/{corpus.pk}/{url}"' in corpus_page
    assert Path(li.original_name).name == "li2022-discourse-deixis.pdf"
