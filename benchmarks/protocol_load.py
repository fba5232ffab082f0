"""Many sessions on one Streamlit server without a browser each (issue 22's load figure).

Fifteen Chromium pages on a two-core machine measure the machine's browsers, not the server:
each page spends tens of milliseconds of CPU applying every move's deltas, and in a meeting
each person's browser runs on their own laptop. This client speaks Streamlit's own protocol
over its websocket (``/_stcore/stream``, the ``BackMsg``/``ForwardMsg`` protobuf messages the
frontend sends and receives): it opens a page as the frontend does, finds a slider and the
fragment it belongs to in the deltas, and moves it as the frontend would (a ``rerun_script``
with the slider's new value and the fragment's id). A move is timed from sending that message
to receiving every awaited metric with a new value (``metric``), and to the run's
``script_finished`` (``finished``). Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

RUN_ENDED = ("script_finished",)


@dataclass
class Page:
    """What a session has learnt of its page from the server's messages."""

    page_script_hash: str = ""
    slider_id: str = ""
    slider_fragment: str = ""
    value: float = 0.0
    step: float = 1.0
    low: float = 0.0
    high: float = 1.0
    metrics: dict[tuple[int, ...], tuple[str, str]] = field(default_factory=dict)

    def shown(self, labels: list[str]) -> list[str]:
        """The values of the metrics labelled ``labels``, in page order."""
        return [body for path, (label, body) in sorted(self.metrics.items()) if label in labels]


def _rerun(page: Page, query: str, page_name: str, value: float | None = None) -> bytes:
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_name = page_name
    state.page_script_hash = page.page_script_hash
    if value is not None:
        widget = state.widget_states.widgets.add()
        widget.id = page.slider_id
        widget.double_array_value.data.append(value)
        state.fragment_id = page.slider_fragment
    return message.SerializeToString()


def _read(page: Page, raw: bytes, slider: str) -> str:
    """Learn from one ForwardMsg; its kind."""
    message = ForwardMsg.FromString(raw)
    kind = message.WhichOneof("type")
    if kind == "new_session":
        page.page_script_hash = message.new_session.page_script_hash or page.page_script_hash
    elif kind == "navigation":
        page.page_script_hash = message.navigation.page_script_hash or page.page_script_hash
    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        element = message.delta.new_element
        which = element.WhichOneof("type")
        path = tuple(message.metadata.delta_path)
        if which == "metric":
            page.metrics[path] = (element.metric.label, element.metric.body)
        elif which == "slider" and element.slider.label == slider:
            box = element.slider
            page.slider_id, page.slider_fragment = box.id, message.delta.fragment_id
            values = list(box.value) if box.set_value else list(box.default)
            page.value = values[0] if values else page.value
            page.step, page.low, page.high = box.step, box.min, box.max
    return kind or ""


async def _until_finished(socket, page: Page, slider: str) -> None:
    while _read(page, await socket.recv(), slider) not in RUN_ENDED:
        pass


async def session(
    url: str, query: str, page_name: str, slider: str, labels: list[str],
    moves: int, pause: float, until: float | None = None, seed: int | None = None,
) -> list[tuple[float, float]]:  # fmt: skip
    """(metric, finished) seconds of each move of ``slider`` on ``page_name`` of ``url``,
    ``pause`` seconds apart; with ``seed``, as a person moves (and as locust's
    ``between(0.5 * pause, 1.5 * pause)`` waits): the first move after a random part of
    ``pause``, then pauses drawn between half and one and a half ``pause``, so that many
    sessions do not all move in the same instant."""
    import websockets

    address = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(
        address, subprotocols=["streamlit"], max_size=None, open_timeout=60
    ) as socket:
        page = Page()
        await socket.send(_rerun(page, query, page_name))
        await _until_finished(socket, page, slider)
        if not page.slider_id:
            raise RuntimeError(f"no slider labelled {slider!r} on {page_name}")
        draw = random.Random(seed) if seed is not None else None
        if draw is not None:
            await asyncio.sleep(draw.uniform(0.0, pause))
        timings = []
        for move in range(moves):
            # Every session moves once, however late it got its page (a loaded machine):
            # "all answer" is then a count, not a race with the clock.
            if until is not None and move > 0 and time.perf_counter() > until:
                break
            old = page.shown(labels)
            up = move % 2 == 0 and page.value + page.step <= page.high
            page.value += page.step if up else -page.step
            start = time.perf_counter()
            await socket.send(_rerun(page, query, page_name, page.value))
            changed = None
            while True:
                kind = _read(page, await socket.recv(), slider)
                now = page.shown(labels)
                if (
                    changed is None
                    and len(now) == len(old)
                    and all(a != b for a, b in zip(now, old, strict=True))
                ):
                    changed = time.perf_counter() - start
                if kind in RUN_ENDED:
                    break
            finished = time.perf_counter() - start
            if changed is None:
                raise RuntimeError(f"a move of {slider!r} left {labels} unchanged")
            timings.append((changed, finished))
            await asyncio.sleep(pause if draw is None else draw.uniform(0.5 * pause, 1.5 * pause))
        return timings


async def many(
    url: str, query: str, page_name: str, slider: str, labels: list[str],
    sessions: int, seconds: float, pause: float = 1.0, staggered: bool = True,
) -> dict[str, float]:  # fmt: skip
    """``sessions`` sessions moving ``slider`` about every ``pause`` seconds for ``seconds``
    (each with its own seeded pauses, so a run can be repeated); not ``staggered``, all
    move in the same instant, every ``pause`` seconds after the last one's answer, the
    worst case."""
    started = time.perf_counter()
    until = started + seconds
    every = await asyncio.gather(
        *(session(url, query, page_name, slider, labels, 1_000_000, pause, until,
                  seed=number if staggered else None)
          for number in range(sessions)),
        return_exceptions=True,
    )  # fmt: skip
    times = [t for result in every if not isinstance(result, BaseException) for t in result]
    metric = [t[0] for t in times]
    return {
        "seconds": time.perf_counter() - started,
        "errors": float(sum(isinstance(r, BaseException) for r in every)),
        "moves": float(len(times)),
        "metric": statistics.median(metric) if metric else float("nan"),
        "p95": statistics.quantiles(metric, n=20)[-1] if len(metric) >= 20 else float("nan"),
        "finished": statistics.median(t[1] for t in times) if times else float("nan"),
    }
