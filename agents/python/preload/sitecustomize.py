"""heapsleuth's preload for ``heapsleuth run -- python3 app.py``.

``heapsleuth run`` puts this folder first on PYTHONPATH, so Python imports this file as
``sitecustomize`` while it starts. It starts the leak tracer (configured by HEAPSLEUTH_*
variables; HEAPSLEUTH_DISABLE=1 turns it off) and then runs the ``sitecustomize`` that
would have run without it, if any, so an existing one keeps working.
"""


def _start_tracer(here):
    import os
    import sys

    agent_root = os.path.dirname(here)  # agents/python, which holds heapsleuth_agent
    added = agent_root not in sys.path
    if added:
        sys.path.insert(0, agent_root)
    try:
        from heapsleuth_agent.autostart import start_from_env
    except Exception as error:
        sys.stderr.write(f"heapsleuth: warning: the leak tracer did not start: {error}; the app runs without it\n")
        return
    finally:
        if added:  # the app's import path stays as it was
            try:
                sys.path.remove(agent_root)
            except ValueError:
                pass
    start_from_env()


def _chain_to_next_sitecustomize(here):
    """Runs the next ``sitecustomize`` on sys.path after this folder, in place of this module."""
    import importlib.machinery
    import importlib.util
    import os
    import sys

    def same(entry):
        try:
            return os.path.realpath(entry or os.getcwd()) == here
        except (OSError, ValueError, TypeError):
            return False

    positions = [i for i, entry in enumerate(sys.path) if isinstance(entry, str) and same(entry)]
    rest = [entry for entry in sys.path[positions[-1] + 1:] if isinstance(entry, str) and not same(entry)] if positions else []
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


def _main():
    import os

    here = os.path.dirname(os.path.realpath(__file__))
    try:
        _start_tracer(here)
    except Exception:  # never in the host's way
        pass
    _chain_to_next_sitecustomize(here)


_main()
del _main, _start_tracer, _chain_to_next_sitecustomize
