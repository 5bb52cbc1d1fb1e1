"""What the audit is for: a reviewer's checklist per paper, a corpus spreadsheet, Bethard's
Table 1 and his per-year chart (Figure 1), in the formats people paste, attach and publish.

- `basis`: which label counts per paper, and from which annotation project (one place);
- `uses`: every paper's seed sentences with the label that counts, and its category;
- `checklist` (+ `advice`; lab reports from `audit.lab.claims`) and `checklist_files`: the
  reviewer's checklist;
- `spreadsheet`: one row per paper and one per labelled sentence, CSV or XLSX;
- `table1` and `usage_chart`: counts per category, and per year with the risky share;
- `views`, `urls`, `forms`: the pages and downloads; `export_checklist`, `export_spreadsheet`
  (with `options`): `manage.py export checklist|spreadsheet`.
"""
