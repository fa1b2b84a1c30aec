"""The import contracts of pyproject.toml ([tool.importlinter]) hold for the code.

docs/architecture.md draws the same rules; this test is what keeps the picture true.
The contracts are checked by import-linter (in .venv/crm); the second half of the file
builds a tiny fake tree in tmp_path to show each contract catches the import it forbids.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# the command-line entry point, called through this interpreter so it is the same venv
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the packages under `project` with the repository's contracts."""
    env = {
        **os.environ,
        "PYTHONPATH": str(project),
        # one contract name per line, so a test can find it next to KEPT/BROKEN
        "COLUMNS": "300",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--config=pyproject.toml", "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def broken_contracts(output: str) -> list[str]:
    """Names of the contracts the report lists as BROKEN (it may add "(N ignored imports)")."""
    return [line.split(" BROKEN")[0].strip() for line in output.splitlines() if " BROKEN" in line]


def test_the_code_keeps_every_import_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# A tree that keeps every contract: each package imports what it may, including the
# allowed exceptions (crm_api mounts trainer; trainer.checks reads bot and rasa).
ALLOWED_TREE = {
    "bankkit/__init__.py": "",
    "bankkit/masking.py": "import re\n",
    "bot/__init__.py": "",
    "bot/nlu/__init__.py": "",
    "bot/nlu/spacy_entities.py": "import rasa.shared\nimport bankkit.masking\n",
    "actions/__init__.py": "",
    "actions/accounts.py": "import rasa_sdk\nimport bankkit.masking\n",
    "trainer/__init__.py": "",
    "trainer/router.py": "import crm_api.deps\nimport trainer.inbox.service\n",
    "trainer/inbox/__init__.py": "",
    "trainer/inbox/service.py": "import bankkit.masking\nimport crm_api.deps\n",
    "trainer/checks/__init__.py": "import rasa\n",
    "trainer/checks/data.py": "import bot.nlu.spacy_entities\nimport rasa.shared\n",
    "crm_api/__init__.py": "",
    "crm_api/deps.py": "import fastapi\n",
    "crm_api/main.py": "import trainer.router\nimport bankkit.masking\n",
}


def build_tree(root: Path, extra: dict[str, str]) -> Path:
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    for relative, text in {**ALLOWED_TREE, **extra}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_tree_with_only_allowed_imports_passes(tmp_path: Path) -> None:
    result = lint_imports(build_tree(tmp_path, {}))
    assert result.returncode == 0, result.stdout + result.stderr
    assert broken_contracts(result.stdout) == []


@pytest.mark.parametrize(
    ("module", "text", "contract"),
    [
        # the shared library reaching up into a side that uses it
        ("bankkit/masking.py", "import trainer.router\n", "bankkit imports none of"),
        # crm_api borrowing a helper from the bot (its venv has no Rasa)
        ("crm_api/deps.py", "from bot.nlu import spacy_entities\n", "crm_api imports none of"),
        ("crm_api/deps.py", "import rasa_sdk\n", "crm_api imports none of"),
        # crm_api reaching the bot indirectly, through the trainer's bot-side checks
        ("crm_api/deps.py", "import trainer.checks.data\n", "crm_api imports none of"),
        # an action calling the CRM's code instead of its HTTP API
        ("actions/accounts.py", "import crm_api.deps\n", "actions import none of"),
        ("bot/nlu/spacy_entities.py", "import actions.accounts\n", "bot imports none of"),
        # the trainer's CRM side needing Rasa
        ("trainer/inbox/service.py", "import rasa.shared\n", "trainer imports none of"),
        ("trainer/router.py", "import trainer.checks.data\n", "trainer's CRM side does not"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, text: str, contract: str
) -> None:
    original = ALLOWED_TREE[module]
    result = lint_imports(build_tree(tmp_path, {module: original + text}))
    assert result.returncode != 0, result.stdout
    broken = broken_contracts(result.stdout)
    assert any(name.startswith(contract) for name in broken), result.stdout
