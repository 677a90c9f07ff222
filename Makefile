# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# The address residents reach the portal at: QR codes and links in pushes point there.
export PORTAL_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
STAMP  := $(VENV)/.installed

.PHONY: install run serve test test-fast bench lint clean-db

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## The virtual environment and the fonts nginx serves (deploy: PIP_NO_INDEX=1 PIP_FIND_LINKS=<wheels> make install).
install: $(STAMP)
	$(BIN)/python -m lib.cli web-fonts --to build/fonts

## The portal with the demo district (seeded into an empty database) on 127.0.0.1:$(PORT).
run: $(STAMP)
	$(BIN)/python -m lib.cli ensure-demo
	@echo "Portal: http://127.0.0.1:$(PORT)   (Ctrl-C stops it and the delivery worker)"
	$(BIN)/python -m lib.pushes.worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

## The portal without demo data (a real deployment: create the first admin with lib.cli).
serve: $(STAMP)
	$(BIN)/python -m lib.cli init
	$(BIN)/python -m lib.cli check-serve
	$(BIN)/python -m lib.pushes.worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m streamlit run app.py --server.address $${PORTAL_ADDRESS:-127.0.0.1} --server.port $(PORT)

## The whole suite: unit and AppTest tests on both cores (pytest-xdist), then the real-browser tests on
## their own — their timings (a lead on the queue within 20 s) mean something only on a quiet machine.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" -n 2
	$(BIN)/python -m pytest -m browser

## Everything but the browser tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" -n 2

## Performance figures at 1x and 10x, written to bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/python -m ruff check .
