"""Sphinx extension of the course website.

* Binder opens the student edition. sphinx-book-theme builds each notebook page's Binder
  link from the page's path in the repository (``notebooks/02-sparse-autoencoder.ipynb``, the
  instructor edition, with the solutions). The course's Binder builds the student edition into
  ``student/`` (binder/postBuild) and the README's Binder link opens that, so the link's
  ``urlpath`` is rewritten from ``aelab_binder_from`` to ``aelab_binder_to`` (both set by
  tools/build_site.py). A Binder link that does not start where it should fails the build.
* Each script once per page. Extensions that add a script while a page is written
  (sphinx-thebe, sphinx-togglebutton) end up listed twice under Sphinx 7.4, and a script run
  twice redeclares its constants (a page error). For the same reason the widget manager's
  scripts (``aelab_widget_scripts``) are added here, and only to the pages that carry widget
  state, rather than by myst-nb, whose per-page scripts leak onto every later page.
* Docstrings written for ``help()``: aelab's docstrings write absolute values as ``|x|``,
  which reStructuredText reads as a substitution reference (an error, and the text lost).
  Outside literal text, math and directives, such bars are escaped so they show as written.
  Their formulas are indented blocks aligned in columns after a line ending in ':'; that
  ':' becomes '::', so the block is shown as written (literal) instead of run together.
* The theme's colour mode is "auto" (light or dark as the reader's system is) by name, so
  the page logs no error about an empty mode.
* scikit-learn's generated ``set_*_request`` methods (metadata routing) are left out of the
  API reference: every estimator has them and they are scikit-learn's, not aelab's.
"""
import re

from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError


def _binder_links(buttons):
    for button in buttons:
        if button.get("type") == "group":
            yield from _binder_links(button.get("buttons", []))
        elif button.get("text") == "Binder":
            yield button


def student_binder_links(app, pagename, templatename, context, doctree):
    source, target = app.config.aelab_binder_from, app.config.aelab_binder_to
    for button in _binder_links(context.get("header_buttons", [])):
        marker = f"urlpath=lab/tree/{source}"
        if marker not in button["url"]:
            raise ExtensionError(f"{pagename}: Binder link {button['url']!r} does not open "
                                 f"{source!r}, so it cannot be pointed at {target!r}")
        button["url"] = button["url"].replace(marker, f"urlpath=lab/tree/{target}")
        button["tooltip"] = "Open this notebook live on Binder (student edition)"


def _script_key(script):
    # Not the priority: the copies differ in it.
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", script) or ""  # None and "" for inline scripts
    return (str(filename), tuple(sorted(attributes.items())))


def _is_widget_state(script):
    attributes = getattr(script, "attributes", {}) or {}
    return attributes.get("type") == "application/vnd.jupyter.widget-state+json"


def scripts_once(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    widget_scripts = [f"_static/{name}" for name in app.config.aelab_widget_scripts]
    seen, unique = set(), []
    # In the order the page will list them (Sphinx sorts by priority, stably), first kept.
    for script in sorted(scripts, key=lambda js: getattr(js, "priority", 500)):
        key = _script_key(script)
        if key not in seen and key[0] not in widget_scripts:
            seen.add(key)
            unique.append(script)
    # The widget manager only where there is widget state to draw, after it, in order.
    if any(_is_widget_state(script) for script in unique):
        unique += [_JavaScript(path, priority=900) for path in widget_scripts]
    scripts[:] = unique


_LITERAL_SPAN = re.compile(r"(``.*?``|`[^`]*`|:math:`[^`]*`)")


def _escape_bars(text):
    parts = _LITERAL_SPAN.split(text)
    return "".join(part if i % 2 else re.sub(r"(?<!\\)\|", r"\\|", part)
                   for i, part in enumerate(parts))


def escape_absolute_values(app, what, name, obj, options, lines):
    literal_indent = None  # inside a literal block or directive: lines indented past this
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if stripped.startswith(".. ") or stripped.endswith("::"):
            literal_indent = indent
            if stripped.startswith(".. "):
                continue
        if "|" in line and not stripped.startswith(("| ", "+-", "+=")):
            lines[i] = _escape_bars(line)


def literal_formula_blocks(app, what, name, obj, options, lines):
    """A paragraph that ends in ':' and introduces an indented block (after a blank line)
    introduces a literal block: aelab's docstrings lay out their formulas that way, aligned
    in columns for help(), and as reST block quotes their lines would run together."""
    for i, line in enumerate(lines):
        stripped = line.rstrip()
        if not stripped.endswith(":") or stripped.endswith("::") \
                or stripped.lstrip().startswith(".. "):
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j > i + 1 and j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > indent:
            lines[i] = stripped + ":"


def skip_sklearn_routing(app, what, name, obj, skip, options):
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def theme_mode(app, pagename, templatename, context, doctree):
    # pydata-sphinx-theme's layout reads the page context's default_mode, and logs a console
    # error for an empty one before it falls back to auto.
    context["default_mode"] = context.get("default_mode") or "auto"


def setup(app):
    app.connect("html-page-context", theme_mode)
    app.add_config_value("aelab_binder_from", "notebooks/", "html")
    app.add_config_value("aelab_binder_to", "student/", "html")
    # Under _static/, in load order: RequireJS, its configuration, the widget manager.
    app.add_config_value("aelab_widget_scripts", [], "html")
    # After sphinx-book-theme's add_launch_buttons (priority 501), before the page renders.
    app.connect("html-page-context", student_binder_links, priority=502)
    app.connect("html-page-context", scripts_once, priority=900)
    # Both before numpydoc (priority 500), which reads the docstring's sections afterwards.
    app.connect("autodoc-process-docstring", literal_formula_blocks, priority=390)
    app.connect("autodoc-process-docstring", escape_absolute_values, priority=400)
    app.connect("autodoc-skip-member", skip_sklearn_routing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
