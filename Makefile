# Two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install template clean refresh-pages serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo batch exits 1 because some demo clusters are drafts with problems by design;
# only exit 2 (a cluster could not be built) fails the target.
demo: $(STAMP)
	$(BIN)/reportsmith batch inputs -o out; status=$$?; [ $$status -le 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Reference page images of the PDF regression tests (tests/test_pages.py), after an intended layout change.
refresh-pages: $(STAMP)
	$(BIN)/python tests/page_images.py --refresh

template: $(STAMP)
	$(BIN)/python scripts/make_template.py templates/outline.docx

clean:
	rm -rf $(VENV) out/*/ out/*.xlsx out/*.csv out/*.json out/*.html

# The online workspace with the demo inputs loaded and demo accounts (workspace-demo/accounts.csv).
DEMO_DATA := workspace-demo
serve: $(STAMP)
	@mkdir -p $(DEMO_DATA)
	@[ -f $(DEMO_DATA)/accounts.csv ] || $(BIN)/reportsmith users init --data $(DEMO_DATA) -o $(DEMO_DATA)/accounts.csv --reviewer shenhe --admin guanli
	$(BIN)/reportsmith load inputs --data $(DEMO_DATA)
	@echo "示例账号和初始密码：$(CURDIR)/$(DEMO_DATA)/accounts.csv"
	$(BIN)/reportsmith serve --data $(DEMO_DATA)
