# Two commands for everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test check-translations translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-app

## Install (first time only) and start the app on http://$(HOST):$(PORT)
run: $(VENV)/.installed-app
	$(BIN)/flask --app survey_app validate || true
	$(BIN)/flask --app survey_app surveys --base-url http://$(HOST):$(PORT)
	$(BIN)/flask --app survey_app run --host $(HOST) --port $(PORT)

## Install the test dependencies and run the whole test suite
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Re-extract the UI strings and merge them into the catalogues (for translators)
translations: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o survey_app/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d survey_app/translations
