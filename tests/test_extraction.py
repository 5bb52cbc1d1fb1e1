"""PDF → clean sentences: reading order, layout hazards, metadata, on real and made PDFs."""

from __future__ import annotations

import csv
import re

import pytest

from audit.ingest import pdfium_calls
from audit.ingest.pdf import CorruptPdf, EncryptedPdf, NotAPdf, NoTextLayer, TooLarge, read_pdf
from audit.ingest.pipeline import extract_paper
from tests import pdfs


def texts(paper) -> list[str]:
    return [s.text for s in paper.sentences]


def joined(paper) -> str:
    return " ".join(texts(paper))


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    path = pdfs.review_copy(tmp_path_factory.mktemp("pdf") / "review.pdf")
    return extract_paper(path, max_pages=50)


class TestReviewCopy:
    """A two-column review copy made in the test, with every hazard the issue lists."""

    def test_every_sentence_reads_as_written(self, review):
        body = pdfs.INTRODUCTION + pdfs.METHOD + pdfs.RESULTS + pdfs.APPENDIX
        found = set(texts(review))
        missing = [s for s in pdfs.sentences_of(body) if s not in found]
        assert missing == []

    def test_sentences_cross_columns_and_pages(self, review):
        crossing = [s for s in review.sentences if s.page_end]
        assert crossing, "some paragraph runs from page 1 onto page 2"
        assert all(s.page_end == s.page + 1 for s in crossing)

    def test_line_numbers_headers_and_page_numbers_are_gone(self, review):
        text = joined(review)
        assert not re.search(r"\b0\d\d\b", text), "a margin line number leaked into the text"
        assert "Anonymous ACL submission" not in text

    def test_hyphenation_is_joined_and_ligatures_spelled_out(self, review):
        text = joined(review)
        assert "reproducible on other hardware" in text
        assert "\ufb01" not in text
        assert "We fine-tune every model" in text

    def test_footnote_is_its_own_sentence_without_its_mark(self, review):
        footnotes = [s for s in review.sentences if s.kind == "footnote"]
        assert [s.text for s in footnotes] == [pdfs.FOOTNOTE]

    def test_references_are_kept_out_of_detection_but_the_appendix_is_not(self, review):
        seeds = {s.text: s for s in review.seed_sentences}
        assert not any("We need to talk about random seeds" in t for t in seeds)
        appendix = seeds[pdfs.plain(pdfs.APPENDIX[0])]
        assert appendix.section == "A Hyperparameters"
        references = [s for s in review.sentences if s.kind == "reference"]
        assert any("We need to talk about random seeds" in s.text for s in references)

    def test_sections_and_pages_are_reported(self, review):
        fixed = next(s for s in review.seed_sentences if "random seed to 42" in s.text)
        assert fixed.section == "2 Method"
        assert fixed.page == 1
        assert fixed.terms == ["random seed to 42"]
        assert fixed.reading.suggested_label == "fixed_seed"

    def test_title_comes_from_the_pdf(self, review):
        assert review.metadata.title == "Seeds in the Wild: How Papers Report Random Seeds"


class TestRealPapers:
    def test_two_columns_read_in_order_around_a_figure(self, corpus_dir):
        paper = extract_paper(corpus_dir / "wang2022-kecp.pdf", max_pages=50)
        # This sentence leaves the left column at the foot of page 1 and goes on in the right
        # column below a figure.
        assert (
            "Yet, these conventional fine-tuning frameworks heavily depend on the time-consuming"
            in joined(paper)
        )

    def test_a_bulleted_list_after_a_colon_starts_new_sentences(self, corpus2_dir):
        paper = extract_paper(corpus2_dir / "reimers2017-score-distributions.pdf", max_pages=50)
        found = texts(paper)
        # The lead-in leaves page 1 at the foot of its right column; its last word stands alone
        # at the top of page 2, above the bullets.
        assert (
            "This large dependence on the random seed value creates several challenges when "
            "evaluating new approaches:" in found
        )
        assert any(text.startswith("Observing a (statistically significant)") for text in found)
        assert "Reproducing results is difficult." in found

    def test_chinese_text_is_read_not_printed_as_cid_codes(self, corpus_dir):
        paper = extract_paper(corpus_dir / "fan2018-exploratory-relation.pdf", max_pages=50)
        text = joined(paper)
        assert "(cid:" not in text
        assert "张智霖" in text

    def test_figure_legends_and_table_cells_are_not_sentences(self, corpus_dir):
        paper = extract_paper(corpus_dir / "fan2018-exploratory-relation.pdf", max_pages=50)
        seeded = [s.text for s in paper.seed_sentences if "KMeans" in s.text]
        assert seeded == [
            "Seeded KMeans proposed by Basu et al. (2002) is a clustering method using labeled "
            "data to guide the clustering process.",
            "For two baseline models, exploratory seeded KMeans performs better than "
            "exploratory EM-based Naive Bayes.",
        ]

    def test_arxiv_stamp_in_the_margin_is_not_text(self, corpus_dir):
        paper = extract_paper(corpus_dir / "cui2017-aoa.pdf", max_pages=50)
        assert "arXiv:1607.04423" not in joined(paper)

    def test_an_arxiv_copy_names_arxiv_as_its_venue_and_an_author_copy_none(self, corpus_dir):
        arxiv = extract_paper(corpus_dir / "cui2017-aoa.pdf", max_pages=50).metadata
        author_copy = extract_paper(corpus_dir / "li2022-discourse-deixis.pdf", max_pages=50)

        assert (arxiv.venue, arxiv.year) == ("arXiv", 2017)
        assert author_copy.metadata.venue == ""  # the pages show "unknown" (tests/test_pages.py)

    @pytest.mark.parametrize("name", ["cui2017-aoa.pdf", "aralikatte2019-coref-rl.pdf"])
    def test_the_loops_in_c_read_a_paper_as_the_calls_from_python_do(
        self, corpus_dir, monkeypatch, name
    ):
        if pdfium_calls._bulk is None:
            pytest.skip(f"{pdfium_calls.BULK_PATH.name} is not built (make setup)")
        looped_in_c = extract_paper(corpus_dir / name, max_pages=50)
        monkeypatch.setattr(pdfium_calls, "_bulk", None)
        called_from_python = extract_paper(corpus_dir / name, max_pages=50)

        assert looped_in_c.metadata == called_from_python.metadata
        assert [(s.text, s.page, s.section, s.kind) for s in looped_in_c.sentences] == [
            (s.text, s.page, s.section, s.kind) for s in called_from_python.sentences
        ]

    def test_capitalised_words_hyphenated_across_lines_are_joined(self, corpus_dir):
        paper = extract_paper(corpus_dir / "bhargava2022-discosense.pdf", max_pages=50)
        caption = next(s.text for s in paper.seed_sentences if s.text.startswith("Table 7"))
        assert "on the DISCOSENSE test set" in caption

    def test_numbers_before_punctuation_are_not_taken_for_footnote_marks(self, corpus_dir):
        paper = extract_paper(corpus_dir / "zhang2023-adaptive-prefix-tuning.pdf", max_pages=50)
        assert "to generate k-shot (k = 16, 32) datasets on SuperGLUE" in joined(paper)

    def test_footnote_marks_after_words_are_dropped(self, corpus_dir):
        paper = extract_paper(corpus_dir / "choshen2019-darknet.pdf", max_pages=50)
        text = joined(paper)
        assert "from all the corpora. We then search for relevant Wikipedia entries" in text

    @pytest.mark.parametrize(
        ("name", "authors"),
        [
            ("li2022-discourse-deixis.pdf", ["Shengjie Li", "Vincent Ng"]),
            (
                "wang2022-kecp.pdf",
                ["Jianing Wang", "Chengyu Wang", "Minghui Qiu", "Qiuhui Shi", "Hongbin Wang",
                 "Jun Huang", "Ming Gao"],
            ),
        ],
    )  # fmt: skip
    def test_authors_are_read_from_the_first_page_without_affiliations(
        self, corpus_dir, name, authors
    ):
        assert extract_paper(corpus_dir / name, max_pages=50).metadata.authors == authors

    def test_metadata_matches_the_sources(self, corpus_dir):
        with (corpus_dir / "SOURCES.tsv").open() as f:
            sources = list(csv.DictReader(f, delimiter="\t"))
        wrong = []
        for row in sources:
            paper = extract_paper(corpus_dir / row["file"], max_pages=50)
            found = paper.metadata
            if found.year != int(row["year"]) or not _same_title(found.title, row["title"]):
                wrong.append((row["file"], found.title, found.year))
        assert wrong == []


def _same_title(found: str, expected: str) -> bool:
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    # SOURCES.tsv writes "DiscoSense" where the PDF sets "DISCOSENSE" in small capitals.
    return norm(found) == norm(expected) or norm(expected) in norm(found)


class TestBadInput:
    def test_a_text_file_named_pdf_is_not_a_pdf(self, tmp_path):
        path = tmp_path / "notes.pdf"
        path.write_text("These are my notes about random seeds.")
        with pytest.raises(NotAPdf, match="not a PDF"):
            read_pdf(path, max_pages=10)

    def test_a_truncated_pdf_says_so(self, tmp_path, corpus_dir):
        data = (corpus_dir / "li2022-discourse-deixis.pdf").read_bytes()
        path = tmp_path / "cut.pdf"
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(CorruptPdf, match="truncated"):
            read_pdf(path, max_pages=50)

    def test_a_damaged_pdf_says_so(self, tmp_path):
        path = tmp_path / "garbage.pdf"
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
        with pytest.raises(CorruptPdf, match="damaged"):
            read_pdf(path, max_pages=50)

    def test_a_password_protected_pdf_says_so(self, tmp_path):
        path = pdfs.encrypted(tmp_path / "secret.pdf")
        with pytest.raises(EncryptedPdf, match="password"):
            read_pdf(path, max_pages=50)

    def test_a_scanned_pdf_without_text_says_so(self, tmp_path, corpus_dir):
        path = pdfs.scanned(tmp_path / "scan.pdf", corpus_dir / "li2022-discourse-deixis.pdf")
        with pytest.raises(NoTextLayer, match="OCR"):
            read_pdf(path, max_pages=50)

    def test_too_many_pages_says_so(self, corpus_dir):
        with pytest.raises(TooLarge, match="13 pages; the limit is 5"):
            read_pdf(corpus_dir / "li2022-discourse-deixis.pdf", max_pages=5)
