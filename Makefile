# Two commands for everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test check-translations translations

$(BIN)/python:
	@echo "First start: making a Python environment in $(VENV)/ and updating pip ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	@echo "Installing survey_app and what it needs into $(VENV)/ (first start or after an update; a minute or two) ..."
	$(BIN)/pip install --quiet -e .
	@echo "Installed."
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "Installing survey_app with its test tools into $(VENV)/ (first run or after an update; a few minutes) ..."
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-app

## Install (first time only) and start the app on http://$(HOST):$(PORT)
run: $(VENV)/.installed-app
	@echo "Checking the questionnaires ..."
	$(BIN)/flask --app survey_app validate || true
	@echo "Public links of the surveys:"
	$(BIN)/flask --app survey_app surveys --base-url http://$(HOST):$(PORT)
	@echo "Starting the app on $(if $(filter 0.0.0.0 ::,$(HOST)),every address of this computer (port $(PORT)),http://$(HOST):$(PORT)) (stop it with Ctrl+C) ..."
	$(BIN)/flask --app survey_app run --host $(HOST) --port $(PORT)

## Install the test dependencies and run the whole test suite
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Re-extract the UI strings and merge them into the catalogues (for translators)
translations: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o survey_app/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d survey_app/translations
