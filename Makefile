# Coffer: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp
EXTRAS ?= dev,gui,hw

.PHONY: venv demo test lint typecheck unit nodes bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP) $(DEMO_STAMP)

venv: $(STAMP)

# The demo needs Coffer alone: no dev tools, no Qt. A venv made for the tests serves too.
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/coffer demo

nodes:
	bash scripts/setup-nodes.sh
	bash scripts/setup-gui.sh
	bash scripts/setup-anvil.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check keystore chains wallet primitives

typecheck: venv
	$(BIN)/mypy --strict keystore chains wallet primitives

test: venv nodes lint typecheck
	$(BIN)/pytest -q

unit: venv
	$(BIN)/pytest -q tests/unit

bench: venv nodes
	@for f in bench/*.py; do \
		case $$f in */__init__.py) continue;; esac; \
		echo "== $$f"; $(BIN)/python $$f || exit 1; \
	done

screenshots: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m gui.screenshots docs/screenshots en zh_CN

clean:
	rm -rf $(VENV) .venv-electrumx .tools build *.egg-info .mypy_cache .ruff_cache .pytest_cache
