"""heapsleuth's Python agent: tracemalloc snapshots on a timer, logged and recorded in
heapsleuth's recording format so that ``heapsleuth analyze`` judges Python services as
it judges Node ones. Standard library only, Python 3.8+.

    import heapsleuth_agent
    tracer = heapsleuth_agent.trace_leaks(interval=60, top=5, trace=1)

or without a code change: ``python3 -m heapsleuth_agent app.py`` or ``heapsleuth run -- python3 app.py``.
"""

from .log_json import JsonLineFormatter, json_line_logger
from .tracer import TickResult, Tracer, start_in_loop, trace_leaks, trace_leaks_async
from .version import VERSION

__version__ = VERSION
__all__ = ["trace_leaks", "trace_leaks_async", "start_in_loop", "Tracer", "TickResult", "JsonLineFormatter", "json_line_logger", "__version__"]
