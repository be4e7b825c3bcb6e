"""``Synthesizer.astream``: the native stream driven from asyncio's default executor."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any


def _next(stream: Any) -> Any:
    return next(stream, None)


async def aiterate(make_stream: Callable[[], Any]) -> AsyncIterator[Any]:
    """Yields the chunks of the stream ``make_stream()`` builds. Each ``next()`` runs in the
    default executor with the GIL released, so the event loop keeps running and the chunks
    after the one awaited are made meanwhile. Cancelling the consuming task, leaving the
    ``async for`` early or an error stops the work."""
    loop = asyncio.get_running_loop()
    stream = await loop.run_in_executor(None, make_stream)
    try:
        while True:
            chunk = await loop.run_in_executor(None, _next, stream)
            if chunk is None:
                return
            yield chunk
    finally:
        stream.cancel()


def astream(synth: Any, text: str, **kwargs: Any) -> AsyncIterator[Any]:
    return aiterate(functools.partial(synth.stream, text, **kwargs))
