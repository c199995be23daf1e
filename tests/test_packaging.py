"""The ways to install the course agree with each other.

* pyproject.toml (pip: base dependencies + the ``lab`` extra), environment.yml (conda) and
  binder/environment.yml (Binder) list the same packages with the same version bounds;
* Binder's postBuild installs the package itself, the conda environment too;
* the embedded data set ships inside the package (package-data, and in a build);
* CI (.ci/run) runs exactly the test command the README gives.

A package added to one list only, a bound raised in one place only, or a README command
changed without CI fails here, naming the file to fix.
"""
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENV_FILES = [ROOT / "environment.yml", ROOT / "binder" / "environment.yml"]
DATA_FILE = "data/mnist5k.npz"

# PyPI name -> conda-forge name, where they differ. matplotlib may also come as
# matplotlib-base (the same library without a GUI toolkit).
CONDA_NAME = {"cupy-cuda12x": "cupy", "matplotlib": "matplotlib"}
CONDA_ALIASES = {"matplotlib-base": "matplotlib"}
IGNORED = {"python", "pip"}


# ------------------------------------------------------------------ reading the lists
def pip_requirements(pyproject=PYPROJECT, extras=("lab",)):
    """{conda name: SpecifierSet} of the base dependencies and the given extras."""
    reqs = list(pyproject["project"]["dependencies"])
    for extra in extras:
        reqs += pyproject["project"]["optional-dependencies"][extra]
    out = {}
    for line in reqs:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name == canonicalize_name(pyproject["project"]["name"]):
            continue  # "aelab[lab]": the package itself
        out[CONDA_NAME.get(name, name)] = req.specifier
    return out


def conda_requirements(env):
    """{name: SpecifierSet} of a conda environment's conda packages (python and pip aside)."""
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section
            continue
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", str(dep))
        assert m, f"cannot read the conda dependency {dep!r}"
        name = canonicalize_name(m.group(1))
        name = CONDA_ALIASES.get(name, name)
        if name in IGNORED:
            continue
        spec = m.group(2).replace(" ", "")
        try:
            out[name] = SpecifierSet(spec)
        except Exception as err:  # conda-only syntax such as "=2.0" or "2.0.*"
            raise AssertionError(f"write {dep!r} with pip-style bounds (e.g. >=2.0) so that it "
                                 f"can be compared with pyproject.toml: {err}") from None
    return out


def env_pip_section(env):
    return [line for dep in env["dependencies"] if isinstance(dep, dict)
            for line in dep.get("pip", [])]


def compare(pip, conda, where):
    """Human-readable differences between two {name: SpecifierSet} maps; [] when they agree."""
    problems = []
    for name in sorted(set(pip) - set(conda)):
        problems.append(f"{name}{pip[name]} is in pyproject.toml but not in {where}")
    for name in sorted(set(conda) - set(pip)):
        problems.append(f"{name}{conda[name]} is in {where} but not in pyproject.toml "
                        "(base dependencies or the lab extra)")
    for name in sorted(set(pip) & set(conda)):
        if pip[name] != conda[name]:
            problems.append(f"{name}: pyproject.toml says {str(pip[name]) or 'any version'}, "
                            f"{where} says {str(conda[name]) or 'any version'}")
    return problems


def lower_bound(specifier):
    bounds = [s.version for s in specifier if s.operator in (">=", ">", "==", "~=")]
    return bounds[0] if bounds else None


def load_env(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the comparison itself
def test_compare_catches_what_it_should():
    """The checker is not vacuous: it reports additions, removals and changed bounds."""
    pip = pip_requirements({"project": {
        "name": "aelab", "dependencies": ["numpy>=2.0", "scikit-learn>=1.4", "torch>=2"],
        "optional-dependencies": {"lab": ["aelab[gpu]", "matplotlib>=3.8"]}}})
    conda = conda_requirements({"dependencies": [
        "python>=3.11", "numpy>=1.26", "scikit-learn >=1.4", "matplotlib-base>=3.8", "scipy",
        "pip", {"pip": ["-e ."]}]})
    problems = compare(pip, conda, "environment.yml")
    assert problems == [
        "torch>=2 is in pyproject.toml but not in environment.yml",
        "scipy is in environment.yml but not in pyproject.toml (base dependencies or the lab "
        "extra)",
        "numpy: pyproject.toml says >=2.0, environment.yml says >=1.26",
    ]
    with pytest.raises(AssertionError, match="pip-style bounds"):
        conda_requirements({"dependencies": ["numpy=2.0"]})


def test_pyproject_lists_are_well_formed():
    pip = pip_requirements()
    assert {"numpy", "scipy", "scikit-learn", "matplotlib", "tqdm", "jupyterlab",
            "ipywidgets", "jupytext", "voila"} <= set(pip)
    for name, spec in pip.items():
        assert lower_bound(spec), f"{name} has no lower bound in pyproject.toml"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_matches_pyproject(path):
    problems = compare(pip_requirements(), conda_requirements(load_env(path)),
                       str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_python_matches_requires_python(path):
    env = load_env(path)
    python = [d for d in env["dependencies"] if isinstance(d, str)
              and re.match(r"\s*python\b", d) and not d.strip().startswith("python-")]
    assert python, f"{path.name} does not pin python"
    spec = SpecifierSet(python[0].strip()[len("python"):].replace(" ", ""))
    assert spec == SpecifierSet(PYPROJECT["project"]["requires-python"]), (
        f"{path.relative_to(ROOT)} asks for python{spec}, pyproject.toml for "
        f"{PYPROJECT['project']['requires-python']}")
    assert "conda-forge" in env.get("channels", []), "voila and jupytext come from conda-forge"


# ------------------------------------------------------------------ installing the package
def test_conda_environment_installs_the_package():
    pip = env_pip_section(load_env(ROOT / "environment.yml"))
    assert any(re.fullmatch(r"(-e\s+)?\.", line.strip()) for line in pip), (
        "environment.yml should install the course itself: `- pip:` / `- -e .`")


def test_binder_postbuild_installs_the_package():
    post = ROOT / "binder" / "postBuild"
    assert post.is_file(), "binder/postBuild is missing"
    text = post.read_text(encoding="utf-8")
    assert text.startswith("#!"), "postBuild needs a shebang line (#!/usr/bin/env bash)"
    assert os.access(post, os.X_OK), "postBuild must be executable (chmod +x binder/postBuild)"
    commands = [line.strip() for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    installs = [c for c in commands
                if re.search(r"(^|\s)(python3? -m )?pip install\b.*\s(-e\s+)?\.(\s|$)", c + " ")]
    assert installs, f"binder/postBuild does not `pip install` the package (.): {commands}"
    assert all("--no-deps" in c for c in installs), (
        "postBuild should pip install with --no-deps: the dependencies come from "
        "binder/environment.yml (checked above), and a second resolver would drift from it")
    binder_pip = env_pip_section(load_env(ROOT / "binder" / "environment.yml"))
    assert not binder_pip, (f"binder/environment.yml installs {binder_pip} with pip; "
                            "keep Binder's packages in its conda list")


def test_package_data_includes_the_embedded_mnist():
    data = ROOT / "aelab" / DATA_FILE
    assert data.is_file(), f"aelab/{DATA_FILE} is missing"
    head = data.read_bytes()[:64]
    assert head.startswith(b"PK"), (f"aelab/{DATA_FILE} is not a .npz (zip) file; a Git LFS "
                                    "pointer would break offline use")
    setuptools_cfg = PYPROJECT.get("tool", {}).get("setuptools", {})
    patterns = setuptools_cfg.get("package-data", {}).get("aelab", [])
    assert any(fnmatch.fnmatch(DATA_FILE, p) for p in patterns), (
        f"[tool.setuptools.package-data] aelab = {patterns} does not include {DATA_FILE}")


def test_a_build_contains_the_modules_and_the_data(tmp_path):
    """Run setuptools' build_py (what goes into a wheel) on a copy of the project, offline."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "aelab", src / "aelab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "build"
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "--build-lib", str(out)], cwd=src, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert f"aelab/{DATA_FILE}" in built, f"aelab/{DATA_FILE} is not in the build: {sorted(built)}"
    modules = {p.relative_to(src).as_posix() for p in (src / "aelab").rglob("*.py")}
    assert modules <= built, f"modules missing from the build: {sorted(modules - built)}"


# ------------------------------------------------------------------ CI runs the README command
def readme_test_command():
    """The commands of the fenced bash block after 'Run the whole test suite' in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    at = text.find("Run the whole test suite")
    assert at >= 0, "README.md has no 'Run the whole test suite' section"
    m = re.search(r"```(?:bash|sh|shell)\n(.*?)```", text[at:], re.S)
    assert m, "no ```bash block after 'Run the whole test suite' in README.md"
    return [l.strip() for l in m.group(1).splitlines() if l.strip()]


CI_BOILERPLATE = {"set -euo pipefail", 'cd "$(dirname "$0")/.."'}


def ci_commands(text):
    return [l.strip() for l in text.splitlines()
            if l.strip() and not l.lstrip().startswith("#") and l.strip() not in CI_BOILERPLATE]


def test_ci_runs_exactly_the_readme_test_command():
    ci = ROOT / ".ci" / "run"
    assert ci.is_file() and os.access(ci, os.X_OK), ".ci/run is missing or not executable"
    readme = readme_test_command()
    assert readme, "the README's test block is empty"
    assert ci_commands(ci.read_text(encoding="utf-8")) == readme, (
        f".ci/run runs {ci_commands(ci.read_text(encoding='utf-8'))}, the README says "
        f"{readme}: change them together")


def test_ci_check_is_not_vacuous():
    assert ci_commands("#!/usr/bin/env bash\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\n"
                       "python -m pytest\n") == ["python -m pytest"]
    assert ci_commands("python -m pytest -x\nextra step\n") != ["python -m pytest"]


def test_every_public_docstring_names_a_notebook_that_exists():
    """DESIGN: each public name's docstring names the notebook that teaches it."""
    import inspect

    import aelab

    notebooks = {p.name for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")}
    missing = []
    for name in aelab.__all__:
        obj = getattr(aelab, name)
        if inspect.ismodule(obj):
            continue
        named = re.findall(r"notebooks/([\w.-]+\.ipynb)", inspect.getdoc(obj) or "")
        if not named or not set(named) <= notebooks:
            missing.append((name, named))
    assert not missing


def test_binder_opens_the_student_edition():
    """Binder builds student/ in postBuild, and the README's JupyterLab link opens it there."""
    post = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"^python3? tools/build_student_edition\.py\s*$", post, re.M), (
        "binder/postBuild must build the student edition (python tools/build_student_edition.py)")
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"mybinder\.org/v2/gh/[^)\s]*urlpath=lab/tree/([^)\s]+)", readme)
    assert links, "README has no Binder link that opens JupyterLab"
    for target in links:
        assert target.startswith("student/"), f"the Binder link opens {target}, not student/"
        name = target.split("/", 1)[1]
        assert (ROOT / "notebooks" / name).is_file(), f"{name} is not a notebook of the course"
