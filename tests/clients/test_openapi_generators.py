"""Typed clients from openapi/openapi.json, made as a new user would make them:
`openapi-python-client` (PyPI) must generate without a single warning (it used
to print 788 and drop every error response: issue 16), and the types
`openapi-typescript` (npm) generates must compile with `tsc --strict` against a
file that uses a path, a row schema and the error shape."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.clients.conftest import REPO, npm_ci, run

DOCUMENT = REPO / "openapi" / "openapi.json"
TS_DIR = Path(__file__).resolve().parent / "openapi_ts"
# The generator runs `ruff` on its output when it finds it; the check here is the
# generator's own parsing, so no post-hooks (their absence is printed, not warned).
PY_CONFIG = "post_hooks: []\n"


async def test_openapi_python_client_generates_without_warnings(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(PY_CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    out = await run(
        [str(generator), "generate", "--path", str(DOCUMENT), "--output-path", str(tmp_path / "client"),
         "--meta", "none", "--config", str(config)],
        cwd=tmp_path,
    )  # fmt: skip
    assert "WARNING" not in out and "Unable to" not in out and "Cannot parse" not in out, out
    models = (tmp_path / "client" / "models").iterdir()
    assert "error.py" in {path.name for path in models}, "the error schema became a model"


async def test_openapi_typescript_types_compile(tmp_path: Path) -> None:
    await npm_ci(TS_DIR)
    bin_dir = TS_DIR / "node_modules" / ".bin"
    for name in ("use_types.ts", "tsconfig.json"):
        shutil.copy(TS_DIR / name, tmp_path / name)
    await run([str(bin_dir / "openapi-typescript"), str(DOCUMENT), "-o", str(tmp_path / "generated.d.ts")], tmp_path)
    await run([str(bin_dir / "tsc"), "-p", str(tmp_path)], tmp_path)
