"""Tells the tracer when a stop signal arrives that the app handles itself.

An app that handles SIGTERM (or SIGINT, SIGHUP) shuts down on its own terms: it closes
connections, drops caches, flushes, then exits. The ticks taken from then on show that
teardown, not the running phase, and are marked with the signal's name.

Python keeps one handler per signal, so the agent cannot add a listener beside the app's.
Instead ``signal.signal`` hands the app's handlers out wrapped: the wrapper notes the
signal, then calls the app's handler with the same arguments and returns what it returns.
``signal.signal`` and ``signal.getsignal`` give back the app's own handlers, never the
wrappers. Nothing else is installed: a signal the app leaves at its default
(``SIG_DFL``, ``SIG_IGN``) keeps it, so a process without handlers dies of SIGTERM as it
did. SIGINT's default handler (``default_int_handler``, which raises KeyboardInterrupt)
is a Python handler: it is wrapped like the app's, so the ticks between the interrupt and
the exit are marked too.
"""

from __future__ import annotations

import functools
import signal as signals
import threading
from typing import Any, Callable, List

STOP_SIGNAL_NAMES = ("SIGTERM", "SIGINT", "SIGHUP")
_STOP_SIGNALS = {getattr(signals, name): name for name in STOP_SIGNAL_NAMES if hasattr(signals, name)}

_listeners: List[Callable[[str], None]] = []
_original_signal = signals.signal
_original_getsignal = signals.getsignal
_lock = threading.Lock()


def listen(listener: Callable[[str], None]) -> None:
    """Calls ``listener(name)`` in the main thread when a stop signal the app handles arrives."""
    with _lock:
        _listeners.append(listener)
        if signals.signal is not _patched_signal:
            signals.signal = _patched_signal
            signals.getsignal = _patched_getsignal
    _wrap_installed_handlers()


def unlisten(listener: Callable[[str], None]) -> None:
    """Stops telling ``listener``; with no listener left, the app's own handlers are put back."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)
        if _listeners:
            return
        if signals.signal is _patched_signal:
            signals.signal = _original_signal
        if signals.getsignal is _patched_getsignal:
            signals.getsignal = _original_getsignal
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers; the wrappers left there just call the app's
    for number in _STOP_SIGNALS:
        try:
            current = _original_getsignal(number)
            if _is_wrapper(current):
                _original_signal(number, current._heapsleuth_wraps)
        except (OSError, ValueError):
            pass


def _wrap_installed_handlers() -> None:
    """Handlers the app installed before the agent started (and SIGINT's default) are wrapped now."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in _STOP_SIGNALS:
        try:
            current = _original_getsignal(number)
            if callable(current) and not _is_wrapper(current):
                _original_signal(number, _wrap(number, current))
        except (OSError, ValueError, TypeError):
            pass


def _patched_signal(signalnum: Any, handler: Any) -> Any:
    installed = _wrap(signalnum, handler) if signalnum in _STOP_SIGNALS and callable(handler) and not _is_wrapper(handler) else handler
    return _unwrap(_original_signal(signalnum, installed))  # the same errors as without the agent


def _patched_getsignal(signalnum: Any) -> Any:
    return _unwrap(_original_getsignal(signalnum))


def _wrap(number: Any, handler: Callable[..., Any]) -> Callable[..., Any]:
    name = _STOP_SIGNALS[number]

    @functools.wraps(handler)
    def on_stop_signal(*args: Any, **kwargs: Any) -> Any:
        _notify(name)
        return handler(*args, **kwargs)

    on_stop_signal._heapsleuth_wraps = handler  # type: ignore[attr-defined]
    return on_stop_signal


def _notify(name: str) -> None:
    for listener in list(_listeners):
        try:
            listener(name)
        except Exception:
            pass  # the app's handler runs whatever happens here


def _is_wrapper(handler: Any) -> bool:
    return callable(handler) and hasattr(handler, "_heapsleuth_wraps")


def _unwrap(handler: Any) -> Any:
    return handler._heapsleuth_wraps if _is_wrapper(handler) else handler
