"""PEP 517 build backend for the jobwire package, standard library only.

The package is pure Python (it loads libjobwire_c with ctypes at run time), so a wheel is
a zip of the package files plus metadata. Keeping the backend in-tree with no build
requirements means pip never has to download a build tool: installation works offline,
with or without build isolation. Metadata comes from pyproject.toml's [project] table.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent


def _load_pyproject() -> dict:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - older interpreters
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError as exc:
            raise RuntimeError("building jobwire needs Python 3.11+ (tomllib) or the tomli package") from exc
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _project() -> Tuple[dict, List[str]]:
    data = _load_pyproject()
    project = data["project"]
    packages = data.get("tool", {}).get("jobwire-build", {}).get("packages", [project["name"]])
    return project, packages


def _dist_name(project: dict) -> str:
    return project["name"].replace("-", "_")


def _metadata(project: dict) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
    ]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    for c in project.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    readme = project.get("readme")
    body = ""
    if readme:
        lines.append("Description-Content-Type: text/markdown")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + body


def _package_files(packages: List[str]) -> List[Path]:
    files: List[Path] = []
    for pkg in packages:
        for path in sorted((ROOT / pkg).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                files.append(path)
    return files


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{arcname},sha256={digest},{len(data)}"


def _dist_info_files(project: dict, packages: List[str]) -> Dict[str, bytes]:
    return {
        "METADATA": _metadata(project).encode("utf-8"),
        "WHEEL": b"Wheel-Version: 1.0\nGenerator: jobwire_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "top_level.txt": ("\n".join(packages) + "\n").encode("utf-8"),
    }


def _write_wheel(wheel_directory: str, contents: Dict[str, bytes]) -> str:
    project, packages = _project()
    name = _dist_name(project)
    version = project["version"]
    dist_info = f"{name}-{version}.dist-info"
    filename = f"{name}-{version}-py3-none-any.whl"
    records: List[str] = []
    entries = dict(contents)
    for fname, data in _dist_info_files(project, packages).items():
        entries[f"{dist_info}/{fname}"] = data
    path = Path(wheel_directory) / filename
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname in sorted(entries):
            data = entries[arcname]
            zf.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        records.append(f"{dist_info}/RECORD,,")
        zf.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return filename


# --- PEP 517 hooks ----------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    project, packages = _project()
    dist_info = Path(metadata_directory) / f"{_dist_name(project)}-{project['version']}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    for fname, data in _dist_info_files(project, packages).items():
        (dist_info / fname).write_bytes(data)
    return dist_info.name


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    _, packages = _project()
    contents = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in _package_files(packages)}
    return _write_wheel(wheel_directory, contents)


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    # PEP 660: a .pth file puts the source directory on sys.path.
    project, _ = _project()
    pth = f"{_dist_name(project)}_editable.pth"
    return _write_wheel(wheel_directory, {pth: (str(ROOT) + "\n").encode("utf-8")})


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    project, packages = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    files = [ROOT / "pyproject.toml", ROOT / "README.md", ROOT / "_build" / "jobwire_build.py"]
    files += _package_files(packages)
    files += sorted(p for p in (ROOT / "tests").glob("*.py"))
    path = Path(sdist_directory) / f"{base}.tar.gz"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        def add(arcname: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{base}/{arcname}")
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))

        for f in files:
            add(f.relative_to(ROOT).as_posix(), f.read_bytes())
        add("PKG-INFO", _metadata(project).encode("utf-8"))
    return path.name
