# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := decisions/web/translations
MO := $(CATALOGS)/fr/LC_MESSAGES/messages.mo $(CATALOGS)/en/LC_MESSAGES/messages.mo

.PHONY: run test lint typecheck contracts pytest browser-deps pdf-deps bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[web,postgres,test]'
	touch $(STAMP)

# The .po catalogs are the source of the translations (edit them with Poedit, Weblate or any
# editor); `make translations` extracts the messages of the code, adds the new ones to both
# catalogs (never guessing a translation: no fuzzy matching), compiles them, and fails while a
# French message is missing, empty or fuzzy. Keep the keywords in step with
# tests/web/test_translations.py. The services mark their English messages with N_ (they
# import no translation machinery; the web layer translates them).
KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k N_

$(MO): $(STAMP) $(CATALOGS)/fr/LC_MESSAGES/messages.po $(CATALOGS)/en/LC_MESSAGES/messages.po
	$(BIN)/pybabel -q compile -d $(CATALOGS)

translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(KEYWORDS) --no-location --omit-header \
		--sort-output -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel -q update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -d $(CATALOGS)
	$(BIN)/pytest -q -p no:cacheprovider tests/web/test_translations.py

# The development server speaks plain HTTP on this machine: cookies cannot be HTTPS-only.
run: $(STAMP) $(MO)
	$(BIN)/decisions db upgrade
	$(BIN)/decisions demo --if-empty
	DECISIONS_SECURE_COOKIES=false $(BIN)/decisions run --with-threads --host 127.0.0.1 --port 5000

test: $(STAMP) $(MO) pdf-deps lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict decisions/engine

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) $(MO)
	$(BIN)/pytest

# The browser tests (tests/browser, `pytest -m browser`) drive Debian's Chromium through
# Playwright (whose own browser downloads are not used). Installed here when missing, with sudo
# unless root; `.ci/run` calls this first. Without Chromium, `make test` skips them, except
# under CI=true where they fail.
CHROMIUM := /usr/bin/chromium

browser-deps:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# The minutes of general assemblies as PDF (fpdf2, pure Python) write French text in DejaVu
# Sans, from Debian's fonts-dejavu-core; installed here when missing (without it the PDF falls
# back to a core font, Latin-1 only).
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

pdf-deps:
	@test -f $(DEJAVU) || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-dejavu-core; }

# Every benchmark (see benchmarks/README.md), on a quiet machine: about half an hour, the
# load 4 runs per database (PostgreSQL at 127.0.0.1:5432). `make bench BENCH=--with-openslides`
# adds the comparison with OpenSlides 3.3 (installed in benchmarks/data/, hours at 10,000 votes).
bench: $(STAMP) $(MO)
	$(BIN)/python benchmarks/college_million.py
	$(BIN)/python benchmarks/markdown_adversarial.py
	for database in "" --postgres; do for run in 1 2 3 4; do \
		$(BIN)/python benchmarks/http_load.py $$database || exit 1; done; done
	$(BIN)/python benchmarks/results_scale.py
	$(BIN)/python benchmarks/assembly_live.py
	$(BIN)/python benchmarks/assembly_live.py --postgres
	for database in "" --postgres; do $(BIN)/python benchmarks/open_round.py $$database || exit 1; done
	for database in "" --postgres; do $(BIN)/python benchmarks/outbox.py $$database || exit 1; done
	$(if $(filter --with-openslides,$(BENCH)),$(BIN)/python benchmarks/openslides_compare.py)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
