"""The panel's controls: which hyperparameters, their widgets, ranges and scales.

Every control writes one hyperparameter of the model (λ, β, ρ, ε, hidden size, k, the input
noise and its level, the contraction weight γ, the data set, the seed; and the reset
button). A log slider has no 0, so λ and γ get a "= 0" check box beside them, as ε gets
"default init" for ``epsilon=None``; moving the slider unticks the box. ρ's slider follows the
activation: log-scaled on (0.001, 0.5) for sigmoid units, linear on (−0.99, 0.99) for tanh.

The controls, by name (``Explorer(controls=[...])``):

* ``"lam"``: λ, log slider 1e-6..1e-1, with a "λ = 0" check box (``"lam_zero"``);
* ``"beta"``: β, 0..10;
* ``"rho"``: ρ, 0.001..0.5 on a log slider for sigmoid units, −0.99..0.99 for tanh;
* ``"epsilon"``: ε, log slider 1e-4..1, with a "default init" check box
  (``"default_init"``) meaning ``epsilon=None``;
* ``"n_hidden"``: 4..196;
* ``"k"``: units kept per example, 1..n_hidden (it follows the hidden size, and a
  smaller hidden size clamps it). ``k=None`` shows as n_hidden, which keeps every
  unit too. Moving k above ``k_start`` switches annealing off rather than failing:
  the panel keeps ``k_start`` at least k, and restores the model's own ``k_start``
  when k comes down (notebooks/05-k-sparse-autoencoders.ipynb);
* ``"noise"``: a drop-down "none" / "mask" / "gaussian" for ``noise`` = None /
  "mask" / "gaussian"; switching a noise on while ``noise_level`` is 0 sets a typical
  level (0.3 masking, σ = 0.2 Gaussian);
* ``"noise_level"``: 0..0.9;
* ``"contraction"``: γ, log slider 1e-4..1, with a "γ = 0" check box
  (``"contraction_zero"``) (notebooks/06-denoising-and-contractive.ipynb);
* ``"dataset"``: a drop-down over ``datasets``;
* ``"seed"``, and ``"reset"`` (retrain from the same initial weights).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["CONTROL_NAMES", "DEFAULT_CONTROLS", "Controls", "apply"]

#: Every control an Explorer can show, in display order.
CONTROL_NAMES = ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise", "noise_level",
                 "contraction", "dataset", "seed", "reset")
DEFAULT_CONTROLS = ("lam", "beta", "rho", "epsilon", "n_hidden", "seed", "reset")
# Controls whose hyperparameter has a special value that a slider cannot reach, and the check
# box beside the slider that selects it: λ = 0 and γ = 0 (a log slider has no 0) and ε = None
# (the UFLDL uniform initialisation). Moving the slider unticks its box.
_SPECIAL_BOXES = {  # slider name -> (box name, the special value, the box's label)
    "lam": ("lam_zero", 0.0, "λ = 0"),
    "epsilon": ("default_init", None, "default init (UFLDL uniform)"),
    "contraction": ("contraction_zero", 0.0, "γ = 0 (off)"),
}
# The noise drop-down's labels and the ``noise`` values they stand for. (ipywidgets reads a
# drop-down value of None as "nothing selected", so "none" is a string here.)
_NOISE_CHOICES = {"none": None, "mask": "mask", "gaussian": "gaussian"}
# noise_level given to a noise type switched on while the level is 0 (which would corrupt
# nothing): the DenoisingAutoencoder's default masking level, and a Gaussian σ of the same
# order for data in [0, 1].
_DEFAULT_NOISE_LEVEL = {"mask": 0.3, "gaussian": 0.2}



class Controls:
    """The control widgets of one panel, keyed by hyperparameter name (``widgets``).

    Parameters
    ----------
    w : module
        ipywidgets.
    names : tuple of str
        Which controls to build, from ``CONTROL_NAMES``.
    params : dict
        The model's hyperparameters (the starting values).
    sources : sequence of str
        Data set names, for the ``"dataset"`` drop-down.
    dataset : str
        The data set shown first.
    """

    def __init__(self, w, names, params, sources, dataset):
        self.w = w
        self.syncing = False
        self._set_from_code = {}
        p = params
        style = {"description_width": "initial"}
        wide = w.Layout(width="330px")
        c = {}
        for name in names:
            if name == "lam":
                lam = p.get("lam") or 0.0
                # A model built with λ = 0 shows "λ = 0" ticked; the slider waits at its left
                # end, so unticking the box gives the smallest λ, next to 0.
                c["lam"] = w.FloatLogSlider(
                    value=min(max(float(lam), 1e-6), 1e-1) if lam else 1e-6, base=10,
                    min=-6, max=-1, step=0.05, description="λ (weight decay)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "beta":
                c["beta"] = w.FloatSlider(
                    value=min(float(p.get("beta", 0.0)), 10.0), min=0.0, max=10.0, step=0.1,
                    description="β (sparsity weight)", style=style, layout=wide)
            elif name == "rho":
                c["rho"] = _rho_slider(w, p, style, wide)
            elif name == "epsilon":
                eps = p.get("epsilon")
                c["epsilon"] = w.FloatLogSlider(
                    value=0.1 if eps is None else min(max(float(eps), 1e-4), 1.0), base=10,
                    min=-4, max=0, step=0.05, description="ε (init scale)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "n_hidden":
                nh = int(p.get("n_hidden", 25))
                c["n_hidden"] = w.IntSlider(
                    value=nh, min=min(4, nh), max=max(196, nh), step=1,
                    description="hidden units", style=style, layout=wide)
            elif name == "k":
                nh = max(1, int(p.get("n_hidden", 25)))
                k = p.get("k")
                # k = None keeps every unit, which is what k = n_hidden does too.
                c["k"] = w.IntSlider(
                    value=nh if k is None else min(max(int(k), 1), nh), min=1, max=nh,
                    step=1, description="k (units kept)", style=style, layout=wide)
            elif name == "noise":
                noise = p.get("noise")
                label = next((lab for lab, v in _NOISE_CHOICES.items() if v == noise), "none")
                c["noise"] = w.Dropdown(options=list(_NOISE_CHOICES), value=label,
                                        description="input noise", style=style,
                                        layout=w.Layout(width="200px"))
            elif name == "noise_level":
                c["noise_level"] = w.FloatSlider(
                    value=min(max(float(p.get("noise_level") or 0.0), 0.0), 0.9), min=0.0,
                    max=0.9, step=0.05, readout_format=".2f",
                    description="noise level", style=style, layout=wide)
            elif name == "contraction":
                gamma = p.get("contraction") or 0.0
                c["contraction"] = w.FloatLogSlider(
                    value=min(max(float(gamma), 1e-4), 1.0) if gamma else 1e-4, base=10,
                    min=-4, max=0, step=0.05, description="γ (contraction)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "dataset":
                c["dataset"] = w.Dropdown(options=list(sources), value=dataset,
                                          description="data set", style=style)
            elif name == "seed":
                # The control keeps the word students know; it sets the estimator's
                # scikit-learn parameter ``random_state`` (``seed`` is its deprecated alias).
                seed = p.get("random_state")
                seed = seed if _is_int(seed) else 0
                c["seed"] = w.BoundedIntText(
                    value=0 if seed is None else int(seed), min=0, max=2**31 - 1,
                    description="seed", style=style, layout=w.Layout(width="150px"))
            elif name == "reset":
                c["reset"] = w.Button(
                    description="reset", icon="undo",
                    tooltip="retrain from the same initial weights")
            if name in _SPECIAL_BOXES:
                box, special, label = _SPECIAL_BOXES[name]
                c[box] = w.Checkbox(value=p.get(name) == special if special is not None
                                    else p.get(name) is None,
                                    description=label, indent=False,
                                    layout=w.Layout(width="auto"))
        self.widgets = c
        self.sync(params)  # readouts of sliders whose box is ticked

    def box(self):
        """The controls laid out: sliders (with their check boxes) beside the other inputs."""
        w, c = self.w, self.widgets
        rows, sliders = [], []
        for n in ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise_level",
                  "contraction"):
            if n not in c:
                continue
            box = _SPECIAL_BOXES.get(n, (None,))[0]
            sliders.append(w.HBox([c[n], c[box]], layout=w.Layout(align_items="center"))
                           if box in c else c[n])
        extras = [c[n] for n in ("noise", "dataset", "seed", "reset") if n in c]
        if sliders:
            rows.append(w.VBox(sliders))
        if extras:
            rows.append(w.VBox(extras))
        return w.HBox(rows, layout=w.Layout(flex_flow="row wrap"))

    def is_snapped_echo(self, name, value, current):
        """"current" or "superseded" when the browser sent back ``value`` only because it
        snapped a value the kernel set (``current``, or one set earlier and replaced since)
        onto the slider's steps; False for a real move.

        A slider shows values on its step grid; a value set from code between two steps
        (ρ = 0.05 on a log slider with steps of 0.02 in log₁₀) is moved to the nearest step
        by the browser, which sends the moved value back. Taking that for a drag would
        retrain at the moved value, possibly after a newer value set from code.
        """
        widget = self.widgets.get(name)
        if widget is None or "value" not in getattr(widget, "_property_lock", {}):
            return False  # set from code, not sent by the browser
        step = getattr(widget, "step", None)
        if not isinstance(value, float) or not step:
            return False
        log = hasattr(widget, "base")
        # No time limit: the kernel reads the browser's messages only between cells, so an
        # echo can come minutes late, after the cells that followed have run.
        recent = self._set_from_code.get(name, [])

        def near(a):
            if not isinstance(a, (int, float)) or isinstance(a, bool):
                return False
            if log:
                return a > 0 and value > 0 and abs(math.log10(value) - math.log10(a)) < \
                    0.5 * step
            return abs(value - a) < 0.5 * step
        if near(current):
            return "current"
        for i, v in enumerate(recent):
            if near(v):
                del recent[i]  # each value set from code comes back at most once
                return "superseded"
        return False

    def note_set_from_code(self, name, value):
        """Remember a value set from code (see :meth:`is_snapped_echo`)."""
        widget = self.widgets.get(name)
        if widget is not None and "value" not in getattr(widget, "_property_lock", {}):
            self._set_from_code.setdefault(name, []).append(value)
            del self._set_from_code[name][:-4]

    def value_for(self, name, value):
        """{hyperparameter: value} that a change of control ``name`` to ``value`` asks for."""
        for slider, (box, special, _label) in _SPECIAL_BOXES.items():
            if name == box:
                return {slider: special if value else float(self.widgets[slider].value)}
        if name == "seed":
            return {"random_state": int(value)}
        if name in ("n_hidden", "k"):
            return {name: int(value)}
        if name == "noise":
            return {"noise": _NOISE_CHOICES.get(value, value)}
        return {name: float(value)}

    def sync(self, params):
        """Move every control to show the requested hyperparameters (without retraining).

        A value a control cannot show (out of its range, or of the wrong type) leaves it
        where the widget clamps it or where it was; the model's own validation then reports
        the value in the error box.
        """
        from traitlets import TraitError

        p, c = params, self.widgets
        self.syncing = True
        try:
            for name, widget in c.items():
                key = "random_state" if name == "seed" else name
                if key not in p:
                    continue
                value = p[key]
                if name == "seed" and not _is_int(value):
                    continue  # a RandomState or Generator: nothing an integer box can show
                try:
                    if name in _SPECIAL_BOXES:
                        box, special, _label = _SPECIAL_BOXES[name]
                        is_special = (value is None) if special is None else \
                            (value is not None and not isinstance(value, str)
                             and value == special)
                        c[box].value = bool(is_special)
                        # The slider's number would be a lie while its box holds the value.
                        widget.readout = not is_special
                        if not is_special:
                            widget.value = value
                    elif name == "k":
                        nh = p.get("n_hidden")
                        if _is_int(nh) and nh >= 1:
                            if widget.value > nh:
                                widget.value = int(nh)
                            widget.max = int(nh)
                        widget.value = widget.max if value is None else value
                    elif name == "n_hidden":
                        if _is_int(value) and value > widget.max:
                            widget.max = int(value)
                        widget.value = value
                    elif name == "noise":
                        label = next((lab for lab, v in _NOISE_CHOICES.items() if v == value),
                                     None)
                        if label is not None:
                            widget.value = label
                    elif value is not None:
                        widget.value = value
                except (TraitError, TypeError, ValueError):
                    pass
        finally:
            self.syncing = False



def _rho_slider(w, p, style, layout):
    act = p.get("activation", "sigmoid")
    rho = float(p.get("rho", 0.05))
    if act == "tanh":
        return w.FloatSlider(value=min(max(rho, -0.99), 0.99), min=-0.99, max=0.99,
                             step=0.01, description="ρ (target activation)",
                             style=style, layout=layout)
    if act == "sigmoid":
        # ρ spans orders of magnitude (0.01 against 0.1 is the interesting range), so a
        # log slider; KL needs ρ inside (0, 1).
        return w.FloatLogSlider(value=min(max(rho, 1e-3), 0.5), base=10, min=-3,
                                max=math.log10(0.5), step=0.02, readout_format=".3f",
                                description="ρ (target activation)", style=style,
                                layout=layout)
    return w.FloatSlider(value=min(max(rho, 0.0), 1.0), min=0.0, max=1.0, step=0.01,
                         description="ρ (target activation)", style=style, layout=layout)



def apply(params, updates, k_start_request):
    """Write requested hyperparameters, with the adjustments that keep them consistent.

    * A smaller hidden size clamps k to it (unless k is set in the same call).
    * k_start (where the k-sparse annealing starts) is kept at least k, so that moving k
      above it means "no annealing" rather than an error; the k_start asked for (by the
      model or :meth:`retrain`) comes back when k goes down again.
    * Switching a noise type on while ``noise_level`` is 0, which would corrupt nothing,
      sets a typical level (0.3 masking, σ = 0.2 Gaussian) unless the call sets one.
    """
    p = params
    p.update(updates)
    if "k_start" in updates:
        k_start_request = updates["k_start"]
    nh, k = p.get("n_hidden"), p.get("k")
    k_moved = "k" in updates
    if ("n_hidden" in updates and not k_moved and _is_int(nh) and _is_int(k)
            and 1 <= nh < k):
        p["k"] = k = int(nh)
        k_moved = True
    if (k_moved and "k_start" not in updates and _is_int(k)
            and _is_int(k_start_request)):
        p["k_start"] = max(int(k_start_request), int(k))
    noise = updates.get("noise")
    if (noise in _DEFAULT_NOISE_LEVEL and "noise_level" not in updates
            and p.get("noise_level") == 0):
        p["noise_level"] = _DEFAULT_NOISE_LEVEL[noise]
    return k_start_request


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
