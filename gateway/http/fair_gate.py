"""Statements in flight in one worker, shared fairly between schools (issue 13).

A request holds `cost` units while its statement runs (the weight of what it
asks: dialect/plan/limits.request_cost). Two bounds hold at all times:

- a school holds at most `per_school` units (SCHOOL_CONCURRENCY): a school
  flooding the gateway queues behind itself, and one heavy read of it takes
  its whole share;
- the worker holds at most `capacity` units (WORKER_CONCURRENCY, by default
  DB_POOL_MAX): never more statements than pooled connections, so a request
  that passed the gate does not then wait on the pool behind another school.

When units free up, the waiting request of the school with the fewest units in
flight goes first (ties: the one that came first). A school that has nothing
running is therefore served before a flooding school's next request, however
many of those queue. The head of that order is never overtaken for want of
room in the worker (no starvation of heavy requests); a request blocked only by
its own school's share lets the others pass.

A request waits at most its timeout (SCHOOL_QUEUE_WAIT); the caller then
answers 429 SDA601 (limits.py). Waiting costs nothing but a future, so a
queued flood does not take the event loop the way refused-and-retried
requests would.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass


@dataclass(eq=False)
class _Waiter:
    school: str
    cost: int
    order: int
    granted: asyncio.Future[None]


class FairGate:
    def __init__(self, capacity: int, per_school: int) -> None:
        self.capacity = max(1, capacity)
        self.per_school = max(1, min(per_school, self.capacity))
        self.in_flight = 0
        self.by_school: dict[str, int] = {}
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()

    def weigh(self, cost: int) -> int:
        """A request's units: a request heavier than a whole share takes the share (and runs alone)."""
        return max(1, min(cost, self.per_school))

    async def acquire(self, school: str, units: int, timeout: float) -> bool:
        """True once `units` are held for `school` (give them back with release);
        False when `timeout` seconds passed first."""
        waiter = _Waiter(school, units, next(self._arrivals), asyncio.get_running_loop().create_future())
        self._waiting.append(waiter)
        self._dispatch()
        if waiter.granted.done():
            return True
        try:
            await asyncio.wait((waiter.granted,), timeout=timeout)
        except asyncio.CancelledError:  # the client went away while it waited
            self._give_up(waiter)
            raise
        if waiter.granted.done():
            return True
        self._give_up(waiter)
        return False

    def try_acquire(self, school: str, units: int) -> bool:
        """Take `units` at once if they fit, else nothing (for import runs, which never queue)."""
        if units and not self._fits(school, units):
            return False
        self._take(school, units)
        return True

    def release(self, school: str, units: int) -> None:
        self.in_flight -= units
        left = self.by_school.get(school, 0) - units
        if left > 0:
            self.by_school[school] = left
        else:
            self.by_school.pop(school, None)
        self._dispatch()

    def _give_up(self, waiter: _Waiter) -> None:
        if waiter.granted.done():  # granted while it was being cancelled: hand the units on
            self.release(waiter.school, waiter.cost)
            return
        self._waiting.remove(waiter)
        waiter.granted.cancel()
        self._dispatch()  # it may have been the head that held others back

    def _fits(self, school: str, units: int) -> bool:
        return self.in_flight + units <= self.capacity and self.by_school.get(school, 0) + units <= self.per_school

    def _take(self, school: str, units: int) -> None:
        if units:
            self.in_flight += units
            self.by_school[school] = self.by_school.get(school, 0) + units

    def _dispatch(self) -> None:
        while self._waiting:
            allowed = [w for w in self._waiting if self.by_school.get(w.school, 0) + w.cost <= self.per_school]
            if not allowed:
                return
            first = min(allowed, key=lambda w: (self.by_school.get(w.school, 0), w.order))
            if self.in_flight + first.cost > self.capacity:
                return  # wait for room: nobody overtakes the head
            self._waiting.remove(first)
            self._take(first.school, first.cost)
            first.granted.set_result(None)
