"""Rate limits, the login throttle and the FA_AUTH check, with a fake clock (no sleeping on real time)."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.limits import LoginThrottle, RateLimiter, client_key, parse_auth


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_window_then_refuses_then_recovers():
    clock = Clock()
    limiter = RateLimiter(3, window_s=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "another client has its own budget"
    clock.now += 61
    assert limiter.allow("a")


def test_rate_limiter_remembers_a_bounded_number_of_clients():
    limiter = RateLimiter(1, max_keys=100)
    for i in range(1000):
        limiter.allow(f"ip:{i}")
    assert len(limiter._events) == 100


def test_zero_means_no_limit():
    assert all(RateLimiter(0).allow("a") for _ in range(1000))


def test_client_key_prefers_the_logged_in_user():
    req = type("R", (), {"username": None, "client": type("C", (), {"host": "10.1.2.3"})()})()
    assert client_key(req) == "ip:10.1.2.3"
    req.username = "staff"
    assert client_key(req) == "user:staff"
    assert client_key(None) == "local"


@pytest.mark.parametrize("value", ["admin", "admin:", ":secret", "   :x"])
def test_malformed_auth_is_an_error_not_silence(value):
    with pytest.raises(ValueError, match="FA_AUTH must be 'user:password'"):
        parse_auth(value)


def test_auth_values():
    assert parse_auth("") is None
    assert parse_auth("staff:pa:ss") == ("staff", "pa:ss")


def test_logins_slow_down_after_repeated_failures_and_run_one_at_a_time():
    throttle = LoginThrottle("staff", "right", free_failures=2, base_delay_s=0.05, max_delay_s=0.2)

    async def attempts(n: int) -> tuple[list[bool], float]:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(throttle.check("staff", f"wrong{i}") for i in range(n)))
        return list(results), time.perf_counter() - t0

    results, fast = asyncio.run(attempts(2))
    assert results == [False, False] and fast < 0.05
    assert throttle.delay_s() == pytest.approx(0.05)
    results, slow = asyncio.run(attempts(4))  # in parallel, yet serialised: 0.05 + 0.1 + 0.2 + 0.2
    assert not any(results) and slow >= 0.5
    assert asyncio.run(throttle.check("staff", "right")) is True, "the right password still works, after the wait"


def test_throttle_forgets_old_failures():
    clock = Clock()
    throttle = LoginThrottle("u", "p", free_failures=1, window_s=300, clock=clock)
    asyncio.run(throttle.check("u", "x"))
    assert throttle.delay_s() > 0
    clock.now += 301
    assert throttle.delay_s() == 0


def test_the_app_hands_gradio_a_coroutine_function():
    """Gradio awaits the auth callback only if it is an async function; an object with an
    async __call__ would hand back a truthy coroutine and let every password in."""
    import inspect

    import app
    from ingest.settings import Settings

    check = app.make_auth(Settings(auth="staff:secret"))
    assert inspect.iscoroutinefunction(check)
    assert asyncio.run(check("staff", "wrong")) is False and asyncio.run(check("staff", "secret")) is True
    assert app.make_auth(Settings(auth="")) is None
