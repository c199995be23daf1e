"""The ways to install the course agree with each other.

* pyproject.toml (pip: base dependencies + the ``lab`` extra) and environment.yml (conda)
  list the same packages with the same version bounds; binder/environment.yml (Binder) lists
  the same packages pinned exactly (``==``) to versions that satisfy those bounds, and
  ``python=X.Y`` (the only form repo2docker reads);
* the licence (SPDX string, LICENSE file), the version (one place), the classifiers and URLs,
  the ipykernel exclusion and the jupytext pairing are what the README and issue 18 promise;
* Binder's postBuild installs the package itself, the conda environment too;
* the embedded data set ships inside the package (package-data, and in a build);
* CI (.ci/run) runs exactly the test command the README gives.

A package added to one list only, a bound raised in one place only, a Binder pin outside
the bounds, or a README command changed without CI fails here, naming the file to fix.
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
CONDA_ENV, BINDER_ENV = ENV_FILES
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


def missing_or_extra(pip, conda, where):
    """The packages listed on one side only."""
    problems = []
    for name in sorted(set(pip) - set(conda)):
        problems.append(f"{name}{pip[name]} is in pyproject.toml but not in {where}")
    for name in sorted(set(conda) - set(pip)):
        problems.append(f"{name}{conda[name]} is in {where} but not in pyproject.toml "
                        "(base dependencies or the lab extra)")
    return problems


def compare(pip, conda, where):
    """Human-readable differences between two {name: SpecifierSet} maps; [] when they agree."""
    problems = missing_or_extra(pip, conda, where)
    for name in sorted(set(pip) & set(conda)):
        if pip[name] != conda[name]:
            problems.append(f"{name}: pyproject.toml says {str(pip[name]) or 'any version'}, "
                            f"{where} says {str(conda[name]) or 'any version'}")
    return problems


def satisfies(pip, pins, where):
    """Differences between pyproject's bounds and exact pins; [] when every pin is one exact
    version (``==X.Y.Z``) inside the bounds, for exactly pyproject's packages."""
    problems = missing_or_extra(pip, pins, where)
    for name in sorted(set(pip) & set(pins)):
        specs = list(pins[name])
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            problems.append(f"{name}: {where} should pin one exact version (=={'X.Y.Z'}), "
                            f"not {str(pins[name]) or 'any version'}")
        elif not pip[name].contains(specs[0].version, prereleases=True):
            problems.append(f"{name}: {where} pins {specs[0].version}, outside pyproject.toml's "
                            f"{pip[name]}")
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


def test_satisfies_catches_what_it_should():
    """The Binder check is not vacuous: loose pins, pins outside the bounds (the ipykernel
    exclusion included), missing and extra packages are all reported."""
    pip = pip_requirements({"project": {
        "name": "aelab", "dependencies": ["numpy>=2.0", "scipy>=1.11", "tqdm>=4.66"],
        "optional-dependencies": {"lab": ["ipykernel>=6.29,!=7.0.*", "voila>=0.5"]}}})
    pins = conda_requirements({"dependencies": [
        "python=3.12", "numpy==1.26.4", "scipy>=1.11", "ipykernel==7.0.1", "voila==0.5.13",
        "pandas==2.2.0"]})
    assert satisfies(pip, pins, "binder") == [
        "tqdm>=4.66 is in pyproject.toml but not in binder",
        "pandas==2.2.0 is in binder but not in pyproject.toml (base dependencies or the lab "
        "extra)",
        "ipykernel: binder pins 7.0.1, outside pyproject.toml's !=7.0.*,>=6.29",
        "numpy: binder pins 1.26.4, outside pyproject.toml's >=2.0",
        "scipy: binder should pin one exact version (==X.Y.Z), not >=1.11",
    ]
    good = conda_requirements({"dependencies": [
        "numpy==2.1.0", "scipy==1.14.1", "tqdm==4.67.0", "ipykernel==7.1.0", "voila==0.5.8"]})
    assert satisfies(pip, good, "binder") == []


def test_pyproject_lists_are_well_formed():
    pip = pip_requirements()
    assert {"numpy", "scipy", "scikit-learn", "matplotlib", "tqdm", "jupyterlab",
            "ipywidgets", "jupytext", "voila"} <= set(pip)
    for name, spec in pip.items():
        assert lower_bound(spec), f"{name} has no lower bound in pyproject.toml"


def test_environment_matches_pyproject():
    problems = compare(pip_requirements(), conda_requirements(load_env(CONDA_ENV)),
                       "environment.yml")
    assert not problems, "\n".join(problems)


def test_binder_pins_satisfy_pyproject():
    # Binder also builds the student edition with nbgrader (postBuild): the teach extra too.
    problems = satisfies(pip_requirements(extras=("lab", "teach")),
                         conda_requirements(load_env(BINDER_ENV)),
                         "binder/environment.yml")
    assert not problems, "\n".join(problems)


def python_line(env):
    python = [d.strip() for d in env["dependencies"] if isinstance(d, str)
              and re.match(r"\s*python\b", d) and not d.strip().startswith("python-")]
    assert len(python) == 1, f"expected one python line, got {python}"
    return python[0]


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_python_matches_requires_python(path):
    env = load_env(path)
    line = python_line(env)
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    if path == BINDER_ENV:
        # repo2docker reads the version only from `python=X.Y` (conda's "X.Y.*").
        m = re.fullmatch(r"python=(3\.\d+)", line)
        assert m, f"binder/environment.yml says {line!r}; repo2docker needs python=3.12 style"
        assert requires.contains(m.group(1) + ".0"), (
            f"Binder's python {m.group(1)} is outside requires-python {requires}")
    else:
        spec = SpecifierSet(line[len("python"):].replace(" ", ""))
        assert spec == requires, (
            f"environment.yml asks for python{spec}, pyproject.toml for {requires}")
    assert "conda-forge" in env.get("channels", []), "voila and jupytext come from conda-forge"


# ------------------------------------------------------------------ metadata
def test_licence_is_an_spdx_string_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License") and "aelab developers" in text
    assert "Neither the name of the copyright holder" in text  # clause 3
    # PEP 639: with an SPDX expression, licence classifiers are an error for setuptools
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]


def test_classifiers_and_urls():
    project = PYPROJECT["project"]
    classifiers = set(project["classifiers"])
    assert {"Intended Audience :: Education", "Framework :: Jupyter",
            "Programming Language :: Python :: 3"} <= classifiers
    minimum = lower_bound(SpecifierSet(project["requires-python"]))
    assert f"Programming Language :: Python :: {minimum}" in classifiers
    assert {"Homepage", "Repository", "Issues"} <= set(project["urls"])
    assert all(u.startswith("https://") for u in project["urls"].values())


def test_version_is_written_in_one_place():
    import aelab
    from aelab import _version

    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "aelab._version.__version__"
    assert aelab.__version__ == _version.__version__
    literal = re.escape(_version.__version__)
    others = [p.relative_to(ROOT).as_posix() for p in (ROOT / "aelab").rglob("*.py")
              if p.name != "_version.py"
              and re.search(rf"__version__\s*=\s*['\"]{literal}", p.read_text(encoding="utf-8"))]
    assert not others, f"the version is written again in {others}"


def test_lab_extra_has_notebook_7_and_avoids_ipykernel_7_0():
    pip = pip_requirements()
    assert pip["notebook"].contains("7.0.0") and not pip["notebook"].contains("6.5.7")
    kernel = pip["ipykernel"]
    assert not kernel.contains("7.0.0") and not kernel.contains("7.0.1")
    assert kernel.contains("6.29.5") and kernel.contains("7.1.0")


def test_packages_find_covers_every_subpackage():
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    assert "aelab.*" in find["include"] and "aelab" in find["include"]
    subpackages = [p.parent.relative_to(ROOT).as_posix().replace("/", ".")
                   for p in (ROOT / "aelab").rglob("__init__.py")]
    assert {"aelab", "aelab.explorer", "aelab.explorer.views", "aelab.exercises"} <= set(
        subpackages)
    assert all(any(fnmatch.fnmatch(s, pat) for pat in find["include"]) for s in subpackages)


def test_jupytext_pairs_the_notebooks_folder_only():
    """jupytext.toml pairs notebooks/NN-*.ipynb with the percent .py beside it."""
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_config

    found = find_jupytext_configuration_file(str(ROOT / "notebooks"))
    assert found and Path(found) == ROOT / "jupytext.toml", f"jupytext reads {found}"
    config = load_jupytext_config(str(ROOT / "notebooks"))
    nb = ROOT / "notebooks" / "00-start-here.ipynb"
    formats = config.default_formats(str(nb))
    assert formats and "ipynb" in formats and "py:percent" in formats
    from jupytext.paired_paths import paired_paths

    paths = [Path(p) for p, _ in paired_paths(str(nb), "ipynb", formats)]
    assert paths == [nb, nb.with_suffix(".py")] and nb.with_suffix(".py").is_file()
    assert config.default_formats(str(ROOT / "student" / "00-start-here.ipynb")) is None


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
    for name in ("pyproject.toml", "README.md", "LICENSE"):
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

    # The metadata setuptools writes (what PyPI would show): the SPDX licence and its file,
    # the version read from aelab/_version.py, the URLs and the lab extra's bounds.
    info = tmp_path / "info"
    info.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "egg_info",
         "--egg-base", str(info)], cwd=src, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    meta = (info / "aelab.egg-info" / "PKG-INFO").read_text(encoding="utf-8")
    from aelab._version import __version__

    for line in ("License-Expression: BSD-3-Clause", "License-File: LICENSE",
                 f"Version: {__version__}", "Project-URL: Repository,",
                 "Classifier: Intended Audience :: Education"):
        assert line in meta, f"{line!r} is not in the built metadata"
    requires = (info / "aelab.egg-info" / "requires.txt").read_text(encoding="utf-8")
    assert "ipykernel!=7.0.*,>=6.29" in requires and "notebook>=7.0" in requires


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
