# The one door: make run, make test, make bench, make lint.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint format docs docs-cog screenshots clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The dashboard on the bundled sample data, at http://127.0.0.1:8501 (PORT=... to change).
PORT ?= 8501
run: $(STAMP)
	$(PY) -m dashboard.serve --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Two workers: the browser tests on one, everything else on the other.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) benchmarks/bench.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The manual (docs/, mkdocs.yml) into site/: fails if the CLI reference is stale (make
# docs-cog regenerates it from the parser) or if the build has any warning (broken links
# and anchors included).
COGGED := docs/cli.md
docs: $(STAMP)
	$(VENV)/bin/cog --check $(COGGED)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

docs-cog: $(STAMP)
	$(VENV)/bin/cog -r $(COGGED)

# The measured inputs of the sample cases (sample_data/cases/), from the bundled pilot,
# telemetry and survey files through the engine: see sample_data/README.md.
.PHONY: sample-cases
sample-cases: $(STAMP)
	$(PY) sample_data/generate_cases.py

# docs/images/<page>.png: every page in headless Chromium on the sample data (a throwaway
# database, 127.0.0.1 only).
screenshots: $(STAMP)
	$(PY) devtools/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build site *.egg-info
