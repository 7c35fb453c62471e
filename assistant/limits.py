"""Per-client rate limits and a login throttle, so no one client can flood the app.

Gradio's queue lets anyone call an event handler directly (the page's own handlers
included), so limits live in the handlers, keyed by who is asking: the logged-in
user when there is one, else the client's address. Both classes hold shared,
process-wide counters on purpose and are passed to the handlers explicitly.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any


class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds per key (sliding window).

    Remembers at most ``max_keys`` clients (least recently seen dropped first), so a
    flood of new addresses cannot grow memory without bound. ``limit <= 0`` disables it.
    """

    def __init__(self, limit: int, window_s: float = 60.0, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (and not counted) when over the limit."""
        if self.limit <= 0:
            return True
        now = self.clock()
        with self._lock:
            events = self._events.pop(key, None) or deque()
            while events and now - events[0] >= self.window_s:
                events.popleft()
            allowed = len(events) < self.limit
            if allowed:
                events.append(now)
            self._events[key] = events
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            return allowed


def client_key(request: Any | None) -> str:
    """Who is asking: 'user:<name>' when logged in, else 'ip:<address>' ('local' without a request)."""
    if request is None:
        return "local"
    username = getattr(request, "username", None)
    if username:
        return f"user:{username}"
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return f"ip:{host}" if host else "unknown"


class LoginThrottle:
    """Checks one user:password pair; after ``free_failures`` failed logins in ``window_s``
    seconds every further attempt waits, doubling from ``base_delay_s`` up to
    ``max_delay_s``, and attempts are taken one at a time while throttled, so parallel
    guessing is no faster than serial guessing. A success does not reset the count.
    """

    def __init__(
        self,
        user: str,
        password: str,
        free_failures: int = 5,
        window_s: float = 300.0,
        base_delay_s: float = 0.5,
        max_delay_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user = user
        self._password = password
        self.free_failures = free_failures
        self.window_s = window_s
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.clock = clock
        self._failures: deque[float] = deque(maxlen=10_000)
        self._lock: asyncio.Lock | None = None

    def recent_failures(self) -> int:
        now = self.clock()
        while self._failures and now - self._failures[0] >= self.window_s:
            self._failures.popleft()
        return len(self._failures)

    def delay_s(self) -> float:
        """How long the next attempt waits before it is checked."""
        over = self.recent_failures() - self.free_failures
        if over < 0:
            return 0.0
        return min(self.base_delay_s * (2**over), self.max_delay_s)

    def _matches(self, username: str, password: str) -> bool:
        user_ok = hmac.compare_digest(username.encode(), self._user.encode())
        password_ok = hmac.compare_digest(password.encode(), self._password.encode())
        return user_ok and password_ok

    async def check(self, username: str, password: str) -> bool:
        """Gradio's auth callback. Pass this bound method, not the object: Gradio awaits the
        callback only when ``inspect.iscoroutinefunction`` says so, and otherwise takes the
        returned (truthy) coroutine for a successful login."""
        delay = self.delay_s()
        if delay <= 0:
            ok = self._matches(username or "", password or "")
        else:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                await asyncio.sleep(self.delay_s())
                ok = self._matches(username or "", password or "")
        if not ok:
            self._failures.append(self.clock())
        return ok


def parse_auth(value: str) -> tuple[str, str] | None:
    """``FA_AUTH`` as (user, password); None when empty. Anything else but 'user:password'
    with both parts non-empty is an error, so a typo never silently turns auth off."""
    if not value or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError(
            "FA_AUTH must be 'user:password' (both parts non-empty, e.g. FA_AUTH='staff:a-long-passphrase'); "
            "got a value without " + ("a colon" if not sep else "a user name" if not user.strip() else "a password")
            + ". Unset FA_AUTH to run without a password (only safe on 127.0.0.1)."
        )
    return user.strip(), password
