"""PEP 517 build backend for the jobwire package, standard library only.

The package's Python code loads libjobwire_c with ctypes, so a wheel is a zip of the
package files plus metadata — and, when the package is built from the jobwire repository
(bindings/python inside a checkout), the shared library itself: the backend compiles
libjobwire_c from ../../src with CMake (or, without CMake, with the C++ compiler directly)
in a temporary directory and puts it next to the package, where the loader looks first
after JOBWIRE_LIBRARY. So one `pip install bindings/python` gives a working package on a
machine with a C++17 compiler and OpenSSL's headers, offline. The wheel is then tagged for
this platform. Built from an sdist or with JOBWIRE_BUNDLE_LIBRARY=0 it stays pure Python
and finds an installed library at run time (README.md).

Keeping the backend in-tree with no build requirements means pip never has to download a
build tool: installation works offline, with or without build isolation. Metadata comes
from pyproject.toml's [project] table.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
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


def _platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _dist_info_files(project: dict, packages: List[str], tag: str = "py3-none-any") -> Dict[str, bytes]:
    purelib = "true" if tag.endswith("-any") else "false"
    return {
        "METADATA": _metadata(project).encode("utf-8"),
        "WHEEL": f"Wheel-Version: 1.0\nGenerator: jobwire_build\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n".encode(),
        "top_level.txt": ("\n".join(packages) + "\n").encode("utf-8"),
    }


def _write_wheel(wheel_directory: str, contents: Dict[str, bytes], tag: str = "py3-none-any") -> str:
    project, packages = _project()
    name = _dist_name(project)
    version = project["version"]
    dist_info = f"{name}-{version}.dist-info"
    filename = f"{name}-{version}-{tag}.whl"
    records: List[str] = []
    entries = dict(contents)
    for fname, data in _dist_info_files(project, packages, tag).items():
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


# --- the bundled C library ----------------------------------------------------------------


def _repository() -> Optional[Path]:
    """The jobwire checkout this package directory sits in (bindings/python), if any."""
    repo = ROOT.parent.parent
    if (repo / "include" / "jobwire_c.h").is_file() and (repo / "src" / "jobwire_c.cpp").is_file() \
            and (repo / "CMakeLists.txt").is_file():
        return repo
    return None


def _log(message: str) -> None:
    # pip shows a backend's stderr with -v, and always when the build fails.
    print(f"jobwire_build: {message}", file=sys.stderr, flush=True)


def _run(cmd: List[str], cwd: Optional[Path] = None) -> None:
    _log("$ " + " ".join(cmd))
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building libjobwire_c failed ({cmd[0]} exited {done.returncode}):\n{done.stdout}")


def _build_with_cmake(repo: Path, work: Path) -> Path:
    cmake = shutil.which("cmake")
    assert cmake is not None
    cmd = [cmake, "-S", str(repo), "-B", str(work), "-DCMAKE_BUILD_TYPE=Release",
           "-DJOBWIRE_BUILD_TESTS=OFF", "-DJOBWIRE_BUILD_TOOLS=OFF", "-DJOBWIRE_BUILD_EXAMPLES=OFF",
           "-DJOBWIRE_BUILD_BENCHMARKS=OFF", "-DJOBWIRE_BUILD_C_API=ON", "-DJOBWIRE_INSTALL=OFF"]
    if shutil.which("ninja"):
        cmd += ["-G", "Ninja"]
    _run(cmd)
    _run([cmake, "--build", str(work), "--target", "jobwire_c_shared", "--parallel"])
    return (work / "lib" / "libjobwire_c.so").resolve()


def _build_with_compiler(repo: Path, work: Path) -> Path:
    # The same flags as src/CMakeLists.txt gives the shared library: C++17, hidden
    # visibility, the export macro's building side, the version script, libcrypto.
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if not cxx:
        raise RuntimeError("building libjobwire_c needs CMake or a C++17 compiler (set CXX)")
    out = work / "libjobwire_c.so"
    cmd = [cxx, "-std=c++17", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-fvisibility-inlines-hidden",
           "-DJOBWIRE_C_BUILDING=1", "-I", str(repo / "include"),
           *(str(f) for f in sorted((repo / "src").glob("jobwire_c*.cpp"))),
           "-o", str(out), f"-Wl,--version-script={repo / 'src' / 'jobwire_c.map'}", "-lcrypto", "-pthread"]
    _run(cmd)
    return out


def _bundled_library() -> Optional[Tuple[str, bytes]]:
    """(file name, bytes) of a freshly built libjobwire_c, or None for a pure wheel."""
    if os.environ.get("JOBWIRE_BUNDLE_LIBRARY", "1") == "0":
        return None
    repo = _repository()
    if repo is None or not sys.platform.startswith("linux"):
        return None
    with tempfile.TemporaryDirectory(prefix="jobwire-build-") as tmp:
        work = Path(tmp)
        _log(f"building libjobwire_c from {repo} (a minute or so; nothing is downloaded)")
        lib = _build_with_cmake(repo, work) if shutil.which("cmake") else _build_with_compiler(repo, work)
        _log(f"bundling {lib.name} into the wheel")
        return "libjobwire_c.so", lib.read_bytes()


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
    bundled = _bundled_library()
    if bundled is None:
        return _write_wheel(wheel_directory, contents)
    name, data = bundled
    contents[f"{packages[0]}/{name}"] = data
    return _write_wheel(wheel_directory, contents, f"py3-none-{_platform_tag()}")


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
