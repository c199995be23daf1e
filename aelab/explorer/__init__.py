"""The live Explorer: sliders that retrain an autoencoder and redraw it while you watch.

``Explorer(model, X)`` shows sliders for λ, β, ρ, ε and the hidden size (and, on request, k,
the input noise and the contraction weight) beside pictures of the model (its filters,
reconstructions, mean activations, loss curve, a PCA comparison, and the k-sparse codes with
the dead units). Moving
a slider cancels the training in flight and starts a new one in a background thread; frames are
redrawn while it trains, so the first change is visible at once and the picture settles as the
model converges.

The package, one idea per module (see docs/INSTRUCTORS.md for adding a view):

* ``panel``: :class:`Explorer`, composing the rest, and its public API;
* ``controls``: which hyperparameters, their widgets, ranges and scales;
* ``session``: the worker thread, cancellation, coalescing;
* ``warmth``: the warm-start policy (when a retrain may continue, and why not);
* ``data``: the data sets a panel trains on; ``frames``: what one redraw shows;
* ``views``: one picture each behind one protocol, registered by name;
* ``charts``, ``png``: drawing; ``status``: the status line; ``config``: JSON in and out.

How it is built, and why:

* **One worker thread, one slot.** Control changes write "the newest requested
  configuration" into a single slot and wake the worker; they never queue. The running
  ``fit`` is cancelled through its callback (returning True stops it at once), and the worker
  picks up whatever is in the slot then. Fifty fast slider moves therefore cost at most one
  cancelled and one completed training, not fifty.
* **Frames are PNG bytes pushed into ``ipywidgets.Image``.** Setting ``Image.value`` replaces
  the picture in place in every frontend (JupyterLab, Notebook 7, Voilà) with no flicker and
  no dependence on a matplotlib backend, and it works headless. Filter grids and
  reconstructions are plain arrays encoded straight to PNG; the two charts are drawn with
  matplotlib's Agg into one reused figure each, blitting only the artists that move.
* **Warm starts only when honest.** A change of λ, β, ρ, k, the noise or the contraction
  weight continues from the current parameters (same data, same shapes, same
  initialisation); a change of hidden size, data set, seed or ε, or the reset button, starts
  from fresh initial weights. The status line says which.
* **Every value reachable.** A log slider has no 0, so λ and γ have a "= 0" check box beside
  them (as ε has "default init" for ``epsilon=None``); moving the slider unticks it.
* **Errors are shown, not lost.** An exception in training or drawing, or a value the model
  refuses (say k above the hidden size), appears in the panel (type and message) and is raised
  again from :meth:`Explorer.wait`; the worker carries on with the next change.

ipywidgets and matplotlib are imported only when a panel is built, so ``import aelab`` stays
light.

Taught in notebooks/02-sparse-autoencoder.ipynb (and used in notebooks/01, 03, 04, 05 and 06).
"""
from .controls import CONTROL_NAMES, DEFAULT_CONTROLS
from .panel import Explorer
from .views import DEFAULT_VIEWS, VIEW_NAMES, VIEWS, register_view

__all__ = ["Explorer", "CONTROL_NAMES", "DEFAULT_CONTROLS", "VIEW_NAMES", "DEFAULT_VIEWS",
           "VIEWS", "register_view"]
