"""Request memos: open for exactly one request, closed (None) outside it."""

from __future__ import annotations

from kopdes.platform.core.memo import RequestMemo, RequestMemoMiddleware


def test_the_middleware_opens_every_memo_for_one_request_only():
    first, second = RequestMemo("test_first"), RequestMemo("test_second")
    seen = []

    def view(request):
        first.get()["a"] = 1
        seen.append((dict(first.get()), second.get()))
        return "response"

    middleware = RequestMemoMiddleware(view)
    assert first.get() is None and second.get() is None
    assert middleware(object()) == "response"
    assert middleware(object()) == "response"
    # Each request starts empty; nothing survives it.
    assert seen == [({"a": 1}, {}), ({"a": 1}, {})]
    assert first.get() is None and second.get() is None
