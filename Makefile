# goireport: `make run` serves the demo, `make test` runs every check.
# Both set up everything they need on a fresh Debian machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

# Debian packages: what running needs (WeasyPrint's Pango, CJK fonts, HarfBuzz's font
# subsetter, without which WeasyPrint falls back to fontTools, many times slower) and
# what the tests add (a browser for Playwright, pdftoppm for looking at PDFs).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-arphic-ukai
TEST_DEBS := chromium poppler-utils

.PHONY: run worker test pytest lint deps system-run system-test migrate demo fonts fandol bench bench-oversight bench-editor bench-findings bench-load clean

# Background exports and PDF renderings need the django-tasks worker (restarted every
# WORKER_MAX_TASKS tasks by deploy/worker.sh); it stops with the server.
run: deps system-run migrate fonts demo
	PYTHON=$(BIN)/python deploy/worker.sh & trap "kill $$!" EXIT; \
	$(BIN)/python manage.py runserver $(HOST)

worker: deps
	PYTHON=$(BIN)/python deploy/worker.sh

test: deps system-run system-test lint fonts
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) pytest

# pytest-xdist spreads the suite over every CPU; PYTEST_ARGS="-n0 -k rules" runs a part.
pytest:
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, types (mypy with django-stubs over reports/ and goireport/) and the one-way
# dependencies of reports/ (import-linter's contracts in pyproject.toml).
lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt build-constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3
	# XStatic packages still build with pkg_resources, gone from new setuptools.
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt -r requirements.txt
	touch $@

# Install the Debian packages named in $(1), but only those that are missing.
define ensure_debs
	@missing=""; for pkg in $(1); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system-run:
	$(call ensure_debs,$(RUN_DEBS))

system-test:
	$(call ensure_debs,$(TEST_DEBS))

migrate: deps
	$(BIN)/python manage.py migrate --noinput

demo: deps
	$(BIN)/python manage.py load_demo

# Cut the CJK font subsets the PDFs embed, once per machine (var/fonts, not committed).
fonts: deps system-run fandol
	$(BIN)/python manage.py build_print_fonts

# Debian packages no free 仿宋 as a font: FandolFang and FandolKai (GPL v3 with the font
# exception, licence copied beside them) are taken out of texlive-lang-chinese with
# apt-get download and dpkg-deb -x, without installing TeX.
FONT_CACHE := $(abspath $(or $(PRINT_FONT_CACHE),var/fonts))
FANDOL_DIR := $(FONT_CACHE)/sources/fandol
FANDOL_IN_DEB := usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
FANDOL_DOC_IN_DEB := usr/share/doc/texlive-doc/fonts/fandol

fandol: $(FANDOL_DIR)/FandolFang-Regular.otf

$(FANDOL_DIR)/FandolFang-Regular.otf:
	@SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
	{ apt-get download -qq texlive-lang-chinese 2>/dev/null || \
	  { $$SUDO apt-get update -qq && apt-get download -qq texlive-lang-chinese; }; } && \
	dpkg-deb -x texlive-lang-chinese_*.deb deb && \
	mkdir -p $(FANDOL_DIR) && \
	cp deb/$(FANDOL_IN_DEB)/FandolFang-Regular.otf deb/$(FANDOL_IN_DEB)/FandolKai-Regular.otf \
	   deb/$(FANDOL_DOC_IN_DEB)/README deb/$(FANDOL_DOC_IN_DEB)/COPYING.gz $(FANDOL_DIR)/ && \
	echo "FandolFang, FandolKai -> $(FANDOL_DIR)"

# Every benchmark: the PDF export, then the oversight pages at 30 and 150,000 agencies
# (OVERSIGHT_ARGS; generated once, ~30 minutes on 2 CPUs, kept in the database), the
# section editor against the signed-in floor, and the findings page and 通报 at 30
# and 3,000 agencies, and the load benchmark (Locust against gunicorn and the task
# worker), on PostgreSQL (BENCH_DATABASE_URL, created when missing).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/goireport_bench
OVERSIGHT_ARGS ?= --large 150000
# Each benchmark runs whatever the one before found; make fails at the end if a goal
# was not met.
bench: deps system-run migrate fonts
	@status=0; \
	$(BIN)/python bench/run.py || status=1; \
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/oversight.py $(OVERSIGHT_ARGS) || status=1; \
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/editor.py || status=1; \
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/findings.py || status=1; \
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/load.py || status=1; \
	exit $$status

bench-oversight: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/oversight.py $(OVERSIGHT_ARGS)

bench-editor: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/editor.py

bench-findings: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/findings.py

# LOAD_ARGS="--clerks 40 --duration 120" changes the load (bench/load.py --help).
bench-load: deps system-run migrate fonts
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var/fonts
