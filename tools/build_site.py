"""Build the course website (Jupyter Book 1 on Sphinx) into build/site/_build/html.

    python tools/build_site.py                       # -> build/site/_build/html/index.html
    python tools/build_site.py --out /tmp/site       # -> /tmp/site/_build/html/index.html
    python -m tools.build_site --strict              # any Sphinx warning fails the build

What the site holds, and where it comes from:

* the landing page is README.md, the instructor guide docs/INSTRUCTORS.md (with the images
  they show, from docs/);
* every notebook in notebooks/, rendered from its stored outputs: no kernel runs, so the
  build takes seconds and needs no network once its JavaScript is cached (below). The live
  panels show the frame their widget state stored when the notebook was last executed. The
  code of the exercises' solutions is folded behind a "show code" button;
* an API reference generated from the library's numpydoc docstrings (Sphinx autodoc with
  numpydoc): one page per public module of aelab;
* on each notebook page a launch button that opens it live on Binder, in the student edition
  that the README's Binder link opens (``student/``, built by binder/postBuild).

The book is staged in OUT/src (site/'s configuration, the README, docs/ and the notebooks,
in the repository's layout) and built with ``jupyter-book build``. The repository URL and
Binder's branch and notebook folder are read from pyproject.toml's ``[project.urls]``
(``Repository`` and ``Binder``), or else from the README's Binder badge.

Two pieces of JavaScript do not come with the Python packages: ipywidgets' HTML manager
(which draws the stored widget state) and RequireJS (which it needs). They are fetched from
npm once (``npm pack``, versions pinned below) into a cache directory, $AELAB_SITE_CACHE or
~/.cache/aelab-site, and copied into the site, so the site loads nothing from a CDN. MathJax
comes from the ``sphinx-mathjax-offline`` package. Install the Python side with
``pip install -e ".[docs]"`` (also part of ``.[test]``).
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "site"
DEFAULT_OUT = REPO / "build" / "site"

# ipywidgets 8 stores its widget state as @jupyter-widgets/controls 2.0 models, which the
# HTML manager 1.x draws; RequireJS is the AMD loader its embed-amd.js bundle expects.
NPM_PACKAGES = {
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15"),
    "requirejs": ("requirejs", "2.3.7"),
}
WIDGETS_STATIC = "widgets"  # under _static/ in the site

# The notebook pages, in the course's order, then the guide and the API reference.
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"


class SiteError(RuntimeError):
    """The site cannot be built; the message says what is missing."""


# ------------------------------------------------------------------ where Binder points


def repository_facts(repo=REPO):
    """The repository URL, Binder's branch and the folder Binder opens notebooks from.

    Read from pyproject.toml's [project.urls] (``Repository``, ``Binder``), falling back on
    the README's mybinder.org badge. Returns a dict with keys url, branch, binder_dir.
    """
    urls = tomllib.loads((repo / "pyproject.toml").read_text())["project"].get("urls", {})
    readme = (repo / "README.md").read_text()
    binder = urls.get("Binder") or ""
    badge = re.search(r"https://mybinder\.org/v2/gh/[^\s)\"']*urlpath=lab/tree/[^\s)\"']+",
                      readme)
    if "urlpath=lab/tree/" not in binder and badge:
        binder = badge.group(0)
    link = re.match(r"https://mybinder\.org/v2/gh/([^/]+)/([^/]+)/([^?]+)\?urlpath=lab/tree/"
                    r"(?:(.+)/)?[^/]+\.ipynb$", binder)
    if not link:
        raise SiteError("no Binder link to JupyterLab found: pyproject.toml's [project.urls] "
                        "Binder or the README's mybinder.org badge should read "
                        "https://mybinder.org/v2/gh/OWNER/REPO/BRANCH?urlpath=lab/tree/"
                        "DIR/NN-name.ipynb")
    owner, name, branch, binder_dir = link.groups()
    url = urls.get("Repository") or f"https://github.com/{owner}/{name}"
    return {"url": url.rstrip("/"), "branch": branch, "binder_dir": binder_dir or ""}


# ------------------------------------------------------------------ JavaScript from npm


def cache_dir():
    return Path(os.environ.get("AELAB_SITE_CACHE",
                               Path.home() / ".cache" / "aelab-site")).expanduser()


def npm_package(key, cache=None):
    """The unpacked ``package/`` folder of one pinned npm package, fetched once."""
    name, version = NPM_PACKAGES[key]
    cache = Path(cache or cache_dir())
    unpacked = cache / f"{key}-{version}"
    if (unpacked / "package" / "package.json").exists():
        return unpacked / "package"
    npm = shutil.which("npm")
    if npm is None:
        raise SiteError(f"{name}@{version} is not in {cache} and npm is not on PATH to fetch "
                        "it (install Node.js and npm, e.g. `apt-get install -y npm`)")
    download = cache / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([npm, "pack", f"{name}@{version}", "--silent",
                           "--pack-destination", str(download)],
                          capture_output=True, text=True, cwd=download, timeout=600)
    tarball = download / proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else None
    if proc.returncode != 0 or tarball is None or not tarball.exists():
        raise SiteError(f"`npm pack {name}@{version}` failed ({proc.returncode}):\n"
                        f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    staging = cache / f"{key}-{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(staging, filter="data")
    shutil.rmtree(unpacked, ignore_errors=True)
    staging.rename(unpacked)  # atomic: a half-unpacked package is never taken as cached
    return unpacked / "package"


def widget_javascript(static_dir, cache=None):
    """Copy RequireJS and the HTML manager into static_dir; the scripts to load, in order,
    relative to static_dir."""
    out = Path(static_dir) / WIDGETS_STATIC
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(npm_package("requirejs", cache) / "require.js", out / "require.js")
    dist = npm_package("html-manager", cache) / "dist"
    # embed-amd.js and the icon fonts its CSS refers to (same folder, relative URLs).
    for path in dist.iterdir():
        if path.suffix in {".js", ".eot", ".svg", ".ttf", ".woff", ".woff2"} \
                and not path.name.startswith("libembed") and path.name != "embed.js":
            shutil.copy2(path, out / path.name)
    # Sphinx puts a relative script path under _static/. No data-jupyter-widgets-cdn: the
    # course's widgets are all ipywidgets' own, which the bundle holds, so nothing else is
    # ever fetched.
    # aelab-widgets.js (from site/_static) tells RequireJS where the manager's files are.
    return [f"{WIDGETS_STATIC}/require.js", "aelab-widgets.js",
            f"{WIDGETS_STATIC}/embed-amd.js"]


# ------------------------------------------------------------------ the API reference


def public_modules(package="aelab"):
    """Names of the package's public modules (none with a leading underscore), sorted."""
    root = __import__(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _summary(obj):
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ").replace("|", "\\|")


def reexports(modname):
    """(name, defining module) for what a package's __all__ names but defines elsewhere."""
    import importlib

    module = importlib.import_module(modname)
    out = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        home = getattr(obj, "__module__", None)
        if inspect.ismodule(obj):
            out.append((name, obj.__name__, "mod"))
        elif home and home != modname and (inspect.isclass(obj) or callable(obj)):
            out.append((name, f"{home}.{getattr(obj, '__qualname__', name)}",
                        "class" if inspect.isclass(obj) else "func"))
    return out


def api_pages(src, package="aelab"):
    """Write api/index.md and one api/<module>.md per public module; their docnames."""
    api = Path(src) / "api"
    api.mkdir(parents=True, exist_ok=True)
    modules = public_modules(package)
    docnames = []
    rows = []
    import importlib

    for modname in modules:
        module = importlib.import_module(modname)
        lines = [f"# `{modname}`", ""]
        exported = reexports(modname)
        if exported:
            lines += ["Defined in submodules and available from here:", "",
                      "| name | defined as | |", "| --- | --- | --- |"]
            for name, target, role in exported:
                obj = getattr(module, name)
                lines.append(f"| `{name}` | {{py:{role}}}`{target}` | {_summary(obj)} |")
            lines.append("")
        lines += ["```{eval-rst}", f".. automodule:: {modname}", "```", ""]
        page = api / f"{modname}.md"
        page.write_text("\n".join(lines))
        docnames.append(f"api/{modname}")
        rows.append(f"| {{doc}}`{modname} <{modname}>` | {_summary(module)} |")
    (api / "index.md").write_text("\n".join([
        "# API reference", "",
        "Generated from the docstrings of the `aelab` package (numpydoc format): every public "
        "module, its classes and functions with their parameters, shapes and maths.", "",
        "| module | what it holds |", "| --- | --- |", *rows, ""]))
    return docnames


# ------------------------------------------------------------------ staging and building


def notebooks(repo=REPO):
    return sorted((repo / "notebooks").glob(NOTEBOOK_GLOB))


SOLUTION = re.compile(r"^\s*#+\s*BEGIN SOLUTION", re.M)


def fold_solutions(text):
    """The notebook (JSON text) with its solution cells' code folded away on the page.

    A reader meets each exercise before its answer: a code cell holding a solution gets
    Jupyter Book's ``hide-input`` tag, so the page shows its output and a button that shows
    the code. The notebook's own file is not changed; this is the staged copy.
    """
    nb = json.loads(text)
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and SOLUTION.search(source):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    return json.dumps(nb, ensure_ascii=False, indent=1)


def stage(src, cache=None, repo=REPO):
    """Lay out the book in src: configuration, pages, JavaScript. Returns src."""
    src = Path(src)
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(SITE, src, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(repo / "README.md", src / "README.md")
    (src / "docs").mkdir()
    for path in (repo / "docs").iterdir():
        if path.suffix in {".md", ".png", ".svg", ".jpg"}:
            shutil.copy2(path, src / "docs" / path.name)
    (src / "notebooks").mkdir()
    pages = []
    for path in notebooks(repo):
        (src / "notebooks" / path.name).write_text(fold_solutions(path.read_text()))
        pages.append(f"notebooks/{path.stem}")
    if not pages:
        raise SiteError(f"no notebooks matching {NOTEBOOK_GLOB} in {repo / 'notebooks'}")
    api = api_pages(src)

    toc = {
        "format": "jb-book",
        "root": "README",
        "parts": [
            {"caption": "The course", "chapters": [{"file": p} for p in pages]},
            {"caption": "For instructors", "chapters": [{"file": "docs/INSTRUCTORS"}]},
            {"caption": "Library", "chapters": [
                {"file": "api/index", "sections": [{"file": p} for p in api]}]},
        ],
    }
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    facts = repository_facts(repo)
    config = yaml.safe_load((SITE / "_config.yml").read_text())
    config["repository"]["url"] = facts["url"]
    config["repository"]["branch"] = facts["branch"]
    sphinx_config = config["sphinx"]["config"]
    sphinx_config["aelab_widget_scripts"] = widget_javascript(src / "_static", cache)
    sphinx_config["aelab_binder_from"] = "notebooks/"
    sphinx_config["aelab_binder_to"] = f"{facts['binder_dir']}/" if facts["binder_dir"] else ""
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False,
                                                    allow_unicode=True))
    return src


def build(out=DEFAULT_OUT, strict=False, cache=None, quiet=False):
    """Stage the book in out/src and build it; returns the path of the HTML folder."""
    out = Path(out).resolve()
    src = stage(out / "src", cache)
    jb = Path(sys.executable).with_name("jupyter-book")
    if not jb.exists():
        jb = shutil.which("jupyter-book")
    if not jb:
        raise SiteError('jupyter-book is not installed: pip install -e ".[docs]"')
    argv = [str(jb), "build", str(src), "--path-output", str(out), "--builder", "html",
            "--all"]
    if strict:
        argv += ["-W", "--keep-going"]
    if quiet:
        argv += ["-q"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run(argv, env=env, cwd=str(REPO))
    html = out / "_build" / "html"
    if proc.returncode != 0 or not (html / "index.html").exists():
        raise SiteError(f"jupyter-book build failed with exit status {proc.returncode}")
    return html


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="build folder (default build/site); the site is OUT/_build/html")
    parser.add_argument("--strict", action="store_true",
                        help="fail on any Sphinx warning (a docstring numpydoc cannot read, "
                             "a broken cross-reference)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    try:
        html = build(args.out, strict=args.strict, quiet=args.quiet)
    except SiteError as exc:
        print(f"build_site: {exc}", file=sys.stderr)
        return 1
    print(f"build_site: the site is in {html} (open index.html) after "
          f"{time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
