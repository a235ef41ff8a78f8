"""The per-conversation lock the Rasa servers of `make cluster` share, against a real Redis.

What a runner would notice if it broke: a message retried after its server died waits for a dead
server's ticket and is answered with "I can't reach my knowledge" after a minute, unrecorded (the
fault the cluster test found); or two messages of one conversation processed at once."""

import asyncio
import shutil
import socket
import subprocess
import threading
import time

import pytest

from serving.lock_store import RedisUrlLockStore

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs Debian's redis-server (make test installs it)"
)
LIFETIME = 1.0  # seconds; the cluster uses 20, the logic is the same
POLL = 0.05


class RedisServer:
    """A throwaway redis-server on a free port, which a test can stop and start again."""

    def __init__(self, folder):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(redis_server):
    """Two lock stores on one Redis: what two Rasa servers see."""
    first, second = RedisUrlLockStore(url=redis_server.url), RedisUrlLockStore(url=redis_server.url)
    first.red.flushdb()
    return first, second


def run(coroutine, timeout=10):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def test_a_message_retried_after_its_server_died_gets_its_turn_once_the_dead_ticket_expires(servers):
    dead, alive = servers
    dead.issue_ticket("rest:runner", LIFETIME)  # the killed server's ticket: never renewed, never returned
    time.sleep(0.1)  # the load balancer retries a moment later
    # The waiter looks less often than the gap between the two tickets (Rasa looks every second; the
    # retry comes within one): with tickets that expire a fixed time after they were issued, the
    # waiter's is gone too when it next looks, and it waits for ever.
    poll = 0.6

    async def retried_turn():
        started = time.monotonic()
        async with alive.lock("rest:runner", LIFETIME, poll):
            return time.monotonic() - started

    waited = run(retried_turn())
    assert LIFETIME - 0.2 < waited < LIFETIME + 2 * poll
    assert alive.get_lock("rest:runner") is None  # handed back: nothing left behind


def test_a_turn_longer_than_the_ticket_lifetime_keeps_the_conversation_to_itself(servers):
    first, second = servers
    log = []

    async def turn(store, name, seconds, start_after):
        await asyncio.sleep(start_after)
        async with store.lock("rest:runner", LIFETIME, POLL):
            log.append(f"{name} starts")
            await asyncio.sleep(seconds)
            log.append(f"{name} ends")

    async def both():
        await asyncio.gather(turn(first, "slow", 3 * LIFETIME, 0), turn(second, "next", 0.1, 0.2))

    run(both())
    assert log == ["slow starts", "slow ends", "next starts", "next ends"]


def test_messages_of_one_conversation_take_turns_in_arrival_order_across_servers(servers):
    log = []

    async def turn(store, number):
        await asyncio.sleep(number * 0.05)
        async with store.lock("rest:runner", LIFETIME, POLL):
            log.append(("start", number))
            await asyncio.sleep(0.05)
            log.append(("end", number))

    async def all_turns():
        await asyncio.gather(*(turn(servers[n % 2], n) for n in range(6)))

    run(all_turns())
    assert log == [(kind, n) for n in range(6) for kind in ("start", "end")]


def test_a_lock_lost_with_a_redis_restart_is_taken_again(servers):
    holder, waiter = servers
    order = []

    async def hold():
        async with holder.lock("rest:runner", LIFETIME, POLL):
            order.append("holder")
            await asyncio.sleep(0.2)
            holder.red.flushdb()  # Redis restarted and lost its last second
            await asyncio.sleep(0.2)

    async def wait():
        await asyncio.sleep(0.05)
        async with waiter.lock("rest:runner", LIFETIME, POLL):
            order.append("waiter")

    async def both():
        await asyncio.gather(hold(), wait())

    run(both())
    assert sorted(order) == ["holder", "waiter"]


def test_a_turn_begun_while_redis_restarts_waits_for_it_instead_of_failing(servers, redis_server):
    store, _ = servers
    store.update_lock("rest:runner")  # the server's connection to Redis is open, then Redis goes
    redis_server.stop()
    threading.Timer(0.5, redis_server.start).start()

    async def turn():
        async with store.lock("rest:runner", LIFETIME, POLL):
            return True

    assert run(turn())


def test_other_conversations_do_not_wait(servers):
    first, second = servers
    first.issue_ticket("rest:someone-else", 30)  # a dead server's ticket on another conversation

    async def turn():
        async with second.lock("rest:runner", LIFETIME, POLL):
            return True

    assert run(turn(), timeout=2)


def test_a_redis_restart_holds_up_only_the_turn_waiting_for_its_lock(servers, redis_server):
    """While one turn waits out a Redis restart, the server goes on with everything else: its event
    loop is not blocked by the synchronous Redis client."""
    store, _ = servers
    store.update_lock("rest:runner")
    redis_server.stop()
    threading.Timer(1.0, redis_server.start).start()
    ticks = []

    async def turn():
        await asyncio.sleep(0.2)  # the rest of the server is already busy when the turn comes
        async with store.lock("rest:runner", LIFETIME, POLL):
            return True

    async def rest_of_the_server():
        started = time.monotonic()
        while time.monotonic() - started < 1.5:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.05)

    async def both():
        return await asyncio.gather(turn(), rest_of_the_server())

    assert run(both())[0]
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) >= 8 and max(gaps) < 0.3, gaps


def test_a_connection_dropped_inside_a_lock_transaction_is_tried_again(servers, monkeypatch):
    """redis-py does not retry a transaction whose connection dropped (Redis died between WATCH and
    EXEC); the cluster test saw a runner's turn fail that way."""
    import redis

    store, _ = servers
    transaction, drops = store.red.transaction, [2]

    def dropping(*args, **kwargs):
        if drops[0]:
            drops[0] -= 1
            raise redis.exceptions.ConnectionError("Connection closed by server.")
        return transaction(*args, **kwargs)

    monkeypatch.setattr(store.red, "transaction", dropping)

    async def turn():
        async with store.lock("rest:runner", LIFETIME, POLL):
            return True

    assert run(turn())
    assert drops == [0]
