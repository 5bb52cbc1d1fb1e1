"""The comparison page: anyone pastes or uploads two systems' scores and gets a report (HTML,
JSON, PDF) built on `audit.stats.compare_systems`.

`scores_csv` reads and checks the CSV, `report` computes the figures and words them, `charts`
draws them and `pdf` lays them out for print; `views` only ties these to requests.
"""
