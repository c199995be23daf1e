"""The live panel, ``aelab.Explorer``: composes controls, a training session and views.

This module holds the public API and the layout; each part it composes has its own module:
:mod:`~aelab.explorer.controls` (which hyperparameters, ranges, scales),
:mod:`~aelab.explorer.session` (worker thread, cancellation, coalescing, warm starts),
:mod:`~aelab.explorer.data` (data sets), :mod:`~aelab.explorer.frames` (what a redraw shows),
:mod:`~aelab.explorer.views` (one picture each), :mod:`~aelab.explorer.status` (the status
line) and :mod:`~aelab.explorer.config` (JSON in and out).
"""
from __future__ import annotations

import threading
import weakref

from ..validation import check_int, check_real
from .config import config_of, panel_from_config
from .controls import CONTROL_NAMES, DEFAULT_CONTROLS, apply
from .data import DataSources, collect_sources, fitted_to
from .frames import draw
from .live import _LIVE, _LIVE_LOCK, check_names, close_tree, default_key
from .session import TrainingSession, state_key
from .toolbar import build_widgets
from .views import DEFAULT_VIEWS, VIEWS

__all__ = ["Explorer"]



class Explorer:
    """A live panel: sliders for λ, β, ρ, ε and the hidden size retrain ``model`` on ``X``.

    Moving a control cancels the training in flight and starts a new one in a background
    thread, warm-started from the current parameters when that is honest (λ, β, ρ changes) and
    from fresh initial weights otherwise (hidden size, data set, seed, ε, reset). While it
    trains, the filters, reconstructions, mean activations and loss curve are redrawn in place
    every ``frame_interval`` seconds, and the status line tells the iteration, the loss, the
    elapsed time and whether this is a warm or a fresh start.

    Parameters
    ----------
    model : aelab.Autoencoder
        The model to explore (any preset). It is trained in place: ``explorer.model`` is this
        object and always holds the newest parameters. If it is already fitted to data of the
        right width, the panel first shows it as it is and trains only when a control moves.
    X : array of shape (m, n_features), str, or aelab.datasets.Dataset, optional
        The training data; a name (``"patches"``, ``"digits"``, ``"mnist"``) loads it with
        :func:`aelab.datasets.load_dataset`. Needed unless ``dataset`` is given.
    controls : sequence of str, default ``DEFAULT_CONTROLS``
        Which controls to show, from ``CONTROL_NAMES`` (default: λ, β, ρ, ε, hidden size,
        seed and reset). Each one's range and scale is listed in
        :mod:`aelab.explorer.controls`; λ, γ and ε have check boxes for 0, 0 and
        ``epsilon=None`` (``"lam_zero"``, ``"contraction_zero"``, ``"default_init"``).
    views : sequence of str, default ("filters", "reconstructions", "activations", "loss")
        Which pictures to show, from ``VIEW_NAMES`` or any name given to
        :func:`aelab.explorer.register_view`; each is described in
        :mod:`aelab.explorer.views`. ``"pca"`` also puts the largest principal angle in
        the status line and ``stats["principal_angle_deg"]``
        (notebooks/04-autoencoders-and-pca.ipynb); ``"ksparse"`` the dead units in
        ``stats["dead_units"]`` (notebooks/05-k-sparse-autoencoders.ipynb).
    datasets : dict or sequence of str, optional
        The choices of the ``"dataset"`` control: names mapped to arrays, to
        :class:`aelab.datasets.Dataset` objects, to dicts of :func:`load_dataset` options
        (e.g. ``{"patches": {"n_patches": 2000}}``) or to None (load by name with defaults);
        a sequence of names means the latter. Data are loaded on first use, in the worker.
        Default: ``aelab.datasets.DATASET_NAMES`` when the control is shown.
    dataset : str, optional
        The name of ``X`` (or the data set to load when ``X`` is None); it is what
        :meth:`config` records, so that :meth:`from_config` can load the data again.
    image_shape : (int, int), optional
        (height, width) of one example for the pictures. Default: the data set's own, else
        square when ``n_features`` is a perfect square, else a 1-pixel-high strip.
    frame_interval : float, default 0.1
        Least time in seconds between two frames during training (a final frame is always
        drawn). Drawing takes a few milliseconds, so this bounds its share of the time.
    max_train_seconds : float, optional
        Stop each retrain after this many seconds (the status line says so). Useful in a
        lecture, where an answer in 2 s beats the exact optimum in 10 s. Default: no limit,
        training runs to ``model.max_iter`` or convergence.
    warm_max_iter : int, optional
        ``max_iter`` for a warm-started retrain (epochs for Adam and SGD, iterations for
        L-BFGS); fresh starts keep the model's own. A warm start begins from trained filters,
        so a minibatch model often needs a fraction of a fresh run's epochs: notebook 05's k
        panel retrains 4 of its 12. ``explorer.model.max_iter`` is restored after each
        retrain. Default: None, the model's own ``max_iter`` every time.
    key : hashable or None, default "auto"
        A new Explorer closes any live Explorer with the same key. "auto": the notebook cell
        that made it (so re-running the cell stops the old panel's thread); None outside
        IPython.
    layout : {"standard", "lecture"}, default "standard"
        "lecture" draws every picture about 1.6 times larger, for a projector.
    holdout : float in [0, 0.5], default 0.1
        The fraction of the data (at most 1000 rows, a seeded split) the panel never trains
        on: the loss view draws the objective on these rows beside the training curve, as
        TensorFlow Playground draws its test loss, and ``stats["holdout_loss"]`` holds the
        latest value. 0 trains on everything. The model is trained on the rest.
    challenges : sequence of aelab.explorer.challenges.Challenge, optional
        Goals shown beside the panel and checked after every retrain that ends
        (``panel.challenges``; see :mod:`aelab.explorer.challenges`).

    Attributes
    ----------
    model : estimator
        The model, trained in place.
    controls : dict of str to ipywidgets.Widget
        The control widgets keyed by hyperparameter name (plus the check boxes
        ``"lam_zero"``, ``"default_init"`` and ``"contraction_zero"`` beside their sliders,
        and ``"reset"`` for the button). Setting ``.value`` retrains, in a notebook and
        headless alike; the noise drop-down takes "none", "mask" or "gaussian".
    views : dict of str to ipywidgets.Image
        The image widget of each view; its ``.value`` holds the latest frame as PNG bytes.
        The ``"ksparse"`` view's codes picture is ``views["ksparse"]`` and its filter grid
        ``views["ksparse_filters"]`` (left empty when the ``"filters"`` view shows them).
    widget : ipywidgets.VBox
        The whole panel. A cell ending with the explorer displays it.
    status : ipywidgets.HTML
        The status line.
    error_box : ipywidgets.HTML
        Empty, or the last error ("TypeName: message") from training or drawing.
    warning_box : ipywidgets.HTML
        Empty, or a note such as "training diverged".

    Examples
    --------
    >>> import aelab
    >>> from aelab.datasets import natural_patches
    >>> panel = aelab.Explorer(aelab.SparseAutoencoder(), natural_patches(10000),
    ...                        dataset="patches")                          # doctest: +SKIP
    >>> panel                                                           # doctest: +SKIP
    >>> panel.controls["lam"].value = 1e-3; panel.wait()                # doctest: +SKIP

    Notes
    -----
    The panel and its controls are taught in notebooks/02-sparse-autoencoder.ipynb; the
    hidden-size slider on reconstructions in notebooks/01-autoencoder-basics.ipynb; ranges of
    λ, β, ρ and ε in notebooks/03-choosing-hyperparameters.ipynb; the ``"pca"`` view in
    notebooks/04-autoencoders-and-pca.ipynb; k and the ``"ksparse"`` view in
    notebooks/05-k-sparse-autoencoders.ipynb; the noise and contraction controls in
    notebooks/06-denoising-and-contractive.ipynb.
    """

    def __init__(self, model, X=None, *, controls=DEFAULT_CONTROLS, views=DEFAULT_VIEWS,
                 datasets=None, dataset=None, image_shape=None, frame_interval=0.1,
                 max_train_seconds=None, warm_max_iter=None, key="auto",
                 layout="standard", holdout=0.1, challenges=()):
        import ipywidgets

        self._ipw = ipywidgets
        self.model = model
        self._control_names = check_names("controls", controls, CONTROL_NAMES)
        self._view_names = check_names("views", views, tuple(VIEWS))
        # the library's validators: a TypeError for the wrong kind, a ValueError out of range
        self.frame_interval = check_real("frame_interval", frame_interval, low=0.0)
        self.max_train_seconds = check_real("max_train_seconds", max_train_seconds, low=0.0,
                                            low_open=True, allow_none=True)
        self.warm_max_iter = check_int("warm_max_iter", warm_max_iter, low=1, allow_none=True)
        self.holdout = check_real("holdout", holdout, low=0.0, high=0.5)
        if layout not in ("standard", "lecture"):
            raise ValueError(f"layout must be 'standard' or 'lecture', got {layout!r}")
        self.layout = layout
        self.image_shape = None if image_shape is None else tuple(int(v) for v in image_shape)

        params = model.get_params()
        self.user_warm_start = params.get("warm_start", False)
        self._params = dict(params)
        self._k_start_request = params.get("k_start")

        sources = collect_sources(X, dataset, datasets, "dataset" in self._control_names)
        self._dataset = dataset if dataset is not None else getattr(X, "name", None)
        if isinstance(X, str):
            self._dataset = X
        if self._dataset is None:
            self._dataset = "data" if X is not None else None
        if self._dataset is None:
            raise ValueError("pass the training data X, or a data set name as X or dataset=")
        if self._dataset not in sources:
            sources[self._dataset] = None
        self._data = DataSources(sources, self.image_shape, want_pca="pca" in self._view_names,
                                 holdout=self.holdout)
        self._session = TrainingSession(self, f"{id(self):x}")
        self._challenge_list = list(challenges)

        self._frame_lock = threading.Lock()
        self._last_frame = None
        build_widgets(self)
        if fitted_to(self.model, self._data.sources.get(self._dataset)):
            self._session.trained_key = state_key(self._params, self._dataset, 0)

        self._key = default_key() if key == "auto" else key
        if self._key is not None:
            with _LIVE_LOCK:
                old = _LIVE.get(self._key)
                _LIVE[self._key] = weakref.ref(self)
            old = old() if old is not None else None
            if old is not None and old is not self:
                old.close()
        self._session.start()
        self._request(initial=True)

    # ------------------------------------------------------------------ requests
    def _on_control(self, name, value):
        if self._controls.syncing:
            return
        echo = self._controls.is_snapped_echo(name, value, self._params.get(name))
        if echo:  # the browser's copy of a value set from code: not a move
            if echo == "superseded":  # it came back late: show the value the model has
                self._controls.sync(self._params)
            return
        self._controls.note_set_from_code(name, value)
        if name == "dataset":
            self._dataset = value
        else:
            self._set(self._controls.value_for(name, value))
        self._controls.sync(self._params)
        self._request()

    def _set(self, updates):
        self._k_start_request = apply(self._params, updates, self._k_start_request)

    def reset(self):
        """Retrain from scratch with the same initial weights (the reset button).

        Taught in notebooks/02-sparse-autoencoder.ipynb.
        """
        with self._session.cond:
            self._session.reset_count += 1
        self._release_scales()
        self._request()

    def rescale(self):
        """Fit every view's scale to what it shows now (the "rescale" button).

        Scales stay fixed while sliders move, so that a change shows as a change; this
        redraws the last frame with scales fitted to it and keeps those from then on.
        """
        with self._frame_lock:
            self._release_scales()
            f = self._last_frame
            if f is not None:
                for view in self._views.values():
                    view.update(f)
                self._settle_scales()

    def _release_scales(self):
        for view in self._views.values():
            getattr(view, "release", lambda: None)()

    def _settle_scales(self):
        for view in self._views.values():
            getattr(view, "settle", lambda: None)()

    def retrain(self, **params):
        """Set hyperparameters (any of the model's, not only those with a control) and retrain.

        Controls showing those hyperparameters are moved to match (``lam=0`` ticks the
        "λ = 0" box, ``noise=None`` selects "none"). A value the model refuses (say
        ``k`` above ``n_hidden``) is shown in the error box, as a training error is. Returns
        immediately; call :meth:`wait` to block until the final frame.

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        unknown = set(params) - set(self._params)
        if unknown:
            raise ValueError(f"unknown hyperparameters {sorted(unknown)} for "
                             f"{type(self.model).__name__}")
        self._set(params)
        self._controls.sync(self._params)
        self._request()

    def _request(self, initial=False):
        self._session.request(self._params, self._dataset, initial)

    # ------------------------------------------------------------------ what the session calls
    def load(self, name):
        """The loaded data set ``name`` (in the worker thread, on first use)."""
        return self._data.load(name)

    def frame(self, req, data, state, stats, final=False):
        """Compute what the views show and push it into them; update status and stats."""
        with self._frame_lock:
            f = draw(self.model, data, self._views, self.status, req, state, stats, final,
                     self._session.record_frame)
            self._last_frame = f
            if final:
                self._settle_scales()
        if final and not state.get("shown_only"):
            self._board.check(f, stats)

    def pin(self):
        """Pin what the panel shows now (filters, loss, settings) into the snapshot strip.

        Call it after :meth:`wait` to pin a finished retrain. Returns the snapshot's record
        (also in :attr:`pins`). Taught in notebooks/02-sparse-autoencoder.ipynb.
        """
        return self._strip.pin(self._params, self._views, self.stats)

    @property
    def pins(self):
        """The pinned snapshots, oldest first: ``params``, ``training_loss``,
        ``holdout_loss`` and ``images`` (PNG bytes by view)."""
        return list(self._strip.pins)

    @property
    def challenges(self):
        """The panel's challenges, each with ``text``, ``done`` and ``misses``."""
        return list(self._board.items)

    # ------------------------------------------------------------------ public API
    def wait(self, timeout=None):
        """Block until the newest requested retrain has drawn its final frame; returns self.

        ``timeout`` (seconds, None: no limit) raises TimeoutError when it passes first; the
        exception that made the newest retrain fail is raised again here (it is also shown in
        the panel); RuntimeError if the panel was closed before that retrain finished.
        Tests and scripts drive the panel headless with ``controls[name].value = v`` and then
        ``wait()``. Taught in notebooks/02-sparse-autoencoder.ipynb.
        """
        self._session.wait(timeout)
        return self

    @property
    def stats(self):
        """Timing of the newest retrain, and counters since the panel was made.

        Timing: ``time_to_first_frame`` and ``time_to_final_frame`` (seconds from the
        control change), ``iterations``, ``cancelled``, ``warm_start``, ``stop_reason``,
        ``budget_stopped``, ``frames``, ``first_frame_iteration``, ``train_seconds``,
        ``render_ms_median``/``render_ms_max`` (drawing per frame); ``principal_angle_deg``
        with the ``"pca"`` view, ``dead_units``/``dead_units_rows`` with ``"ksparse"``.
        Counters: ``requests``, ``requests_coalesced`` (replaced before the worker took them
        up), ``trainings_started``, ``trainings_completed``, ``trainings_cancelled``,
        ``trainings_failed``, ``frames_total``. Once idle, every request is exactly one of
        coalesced, completed, cancelled or failed (except a fitted model shown as it is).
        """
        return self._session.snapshot()

    @property
    def dataset(self):
        """Name of the data set the panel trains on now."""
        return self._dataset

    @property
    def closed(self):
        """True after :meth:`close`."""
        return self._session.closing

    @property
    def _worker(self):
        return self._session.worker

    def close(self, timeout=10.0):
        """Stop the worker thread (cancelling any training) and close the widgets.

        Taught in notebooks/00-start-here.ipynb.
        """
        if self._session.close(timeout):
            return
        with _LIVE_LOCK:
            ref = _LIVE.get(self._key)
            if ref is not None and ref() is self:
                del _LIVE[self._key]
        for widget in list(self.controls.values()):
            widget.close()
        for view in self._views.values():
            view.widget.close()
        close_tree(self.widget)

    def __del__(self):  # pragma: no cover - best effort; the thread keeps us alive anyway
        try:
            if not self._session.closing:
                self.close(timeout=0)
        except Exception:
            pass

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        state = "closed" if self.closed else "live"
        return (f"<Explorer {state}: {type(self.model).__name__} on {self._dataset!r}, "
                f"controls={list(self._control_names)}, views={list(self._view_names)}>")

    def config(self):
        """A JSON-able description that :meth:`from_config` turns back into the same panel.

        The model class and its hyperparameters as the controls now stand, which controls and
        views show, the data set by name (and the options it was loaded with),
        ``image_shape``, ``frame_interval``, ``max_train_seconds``, ``warm_max_iter`` and
        ``layout``; not the data or the learned weights.

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        return config_of(self)

    @classmethod
    def from_config(cls, config, X=None, **kwargs):
        """Build the panel that :meth:`config` described (``X``: the data, or load by name).

        Any Explorer argument can be overridden in ``kwargs`` (e.g. ``key``).

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        return panel_from_config(cls, config, X, **kwargs)

    @staticmethod
    def close_all():
        """Close every live Explorer in this process (e.g. before a lecture's next demo)."""
        with _LIVE_LOCK:
            panels = [ref() for ref in _LIVE.values()]
        for panel in panels:
            if panel is not None:
                panel.close()
