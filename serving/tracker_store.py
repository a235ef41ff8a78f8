"""A SQL tracker store whose cost per turn does not grow with the conversation.

Stock Rasa loads and deserialises every event of the session on every turn, and its policies then
featurize all of them, so turn 115 of a chat took 3-4 times as long as turn 5. Nothing here needs
more than the last few turns: the rules and the memoization look back three turns at most, forms keep
their state in slots and the active loop, and the actions read the slots, the latest message and
the events of the last turns.

So ``retrieve`` loads the events since the ``RECENT_USER_TURNS``-th last user message, preceded by the
state the conversation was in just before it (the slot values and the active form, rebuilt from the
session's small slot and loop events only). Everything is still written: ``save`` stores exactly the
events the turn added, and the API's full tracker (``retrieve_full_tracker``) is unchanged.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

RECENT_USER_TURNS = 5
_STORED = "_ankle_coach_stored"  # on a tracker: how many of its first events are stored (or rebuilt state)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (SQLite or PostgreSQL) that loads only the recent turns of a conversation.

    Besides Rasa's separate settings (dialect, host, db ...), it takes one database URL as ``url``
    (``url: ${ANKLE_COACH_DB_URL}`` in endpoints.cluster.yml), so a managed PostgreSQL is one variable.
    """

    def __init__(self, domain: Any = None, host: Optional[Text] = None, **kwargs: Any) -> None:
        if host and "://" in host:
            url = sa.engine.make_url(host)
            kwargs.update(
                dialect=url.drivername,
                port=url.port,
                db=url.database,
                username=url.username,
                password=url.password,
                query=dict(url.query) or None,
            )
            host = url.host
        super().__init__(domain=domain, host=host, **kwargs)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            session_start = self._session_start_id(session, sender_id)
            boundary = self._boundary_id(session, sender_id, session_start)
            if boundary is None:  # a short conversation: load it as Rasa does
                tracker = await super().retrieve(sender_id)
                if tracker is not None:
                    setattr(tracker, _STORED, len(tracker.events))
                return tracker
            boundary = self._outside_active_form(session, sender_id, session_start, boundary)
            if boundary is None:  # the whole session is one form still asking: load it as Rasa does
                tracker = await super().retrieve(sender_id)
                if tracker is not None:
                    setattr(tracker, _STORED, len(tracker.events))
                return tracker
            state = self._state_before(session, sender_id, session_start, boundary)
            rows = self._rows(session, sender_id, session_start).filter(self.SQLEvent.id >= boundary).all()
            recent = [json.loads(row.data) for row in rows]
        if not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, state + recent, self.domain.slots)
        setattr(tracker, _STORED, len(state) + len(recent))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events this turn added (the rebuilt state at the start is never written again)."""
        loaded = getattr(tracker, _STORED, None)
        if loaded is None:  # a tracker this store did not build (a new conversation): Rasa's count
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, loaded, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, _STORED, len(tracker.events))

    # ---- queries -------------------------------------------------------------------------------
    def _session_start_id(self, session: Any, sender_id: Text) -> Optional[int]:
        return (
            session.query(sa.func.max(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
            .scalar()
        )

    def _rows(self, session: Any, sender_id: Text, session_start: Optional[int]) -> Any:
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if session_start is not None:
            # the action_session_start just before the SessionStarted event belongs to the session too
            query = query.filter(self.SQLEvent.id >= session_start - 1)
        return query.order_by(self.SQLEvent.id)

    def _boundary_id(self, session: Any, sender_id: Text, session_start: Optional[int]) -> Optional[int]:
        """The id of the RECENT_USER_TURNS-th last user message of the session, if it has that many more."""
        query = session.query(self.SQLEvent.id).filter(
            self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == UserUttered.type_name
        )
        if session_start is not None:
            query = query.filter(self.SQLEvent.id > session_start)
        ids = [row[0] for row in query.order_by(self.SQLEvent.id.desc()).limit(RECENT_USER_TURNS + 1).all()]
        return ids[RECENT_USER_TURNS - 1] if len(ids) > RECENT_USER_TURNS else None

    def _outside_active_form(
        self, session: Any, sender_id: Text, session_start: Optional[int], boundary: int
    ) -> Optional[int]:
        """Move the boundary before the user message that started a form still active at it.

        Rasa folds a form's turns into one (``applied_events``) and needs the form's first run in
        the history to do so; cut inside a form, the history folds to nothing. A form asks a
        handful of questions, so keeping its whole episode still bounds the load."""
        loops = (
            self._rows(session, sender_id, session_start)
            .filter(self.SQLEvent.id < boundary, self.SQLEvent.type_name == ActiveLoop.type_name)
            .all()
        )
        activation = None
        for row in loops:
            activation = row.id if json.loads(row.data).get("name") else None
        if activation is None:
            return boundary
        before = session.query(sa.func.max(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == sender_id,
            self.SQLEvent.type_name == UserUttered.type_name,
            self.SQLEvent.id < activation,
        )
        if session_start is not None:
            before = before.filter(self.SQLEvent.id > session_start)
        return before.scalar()

    def _state_before(
        self, session: Any, sender_id: Text, session_start: Optional[int], boundary: int
    ) -> List[Dict[str, Any]]:
        """The session start, then the slot values and the active form as they stood before ``boundary``."""
        rows = self._rows(session, sender_id, session_start).filter(
            self.SQLEvent.id < boundary,
            self.SQLEvent.type_name.in_([SlotSet.type_name, ActiveLoop.type_name, SessionStarted.type_name]),
        )
        slots: Dict[str, Any] = {}
        loop: Tuple[bool, Optional[str]] = (False, None)
        started: Optional[Dict[str, Any]] = None
        timestamp = 0.0
        for row in rows.all():
            event = json.loads(row.data)
            timestamp = event.get("timestamp") or timestamp
            if event.get("event") == SessionStarted.type_name:
                started, slots, loop = event, {}, (False, None)
            elif event.get("event") == SlotSet.type_name:
                slots[event.get("name")] = event.get("value")
            elif event.get("event") == ActiveLoop.type_name:
                loop = (True, event.get("name"))
        state: List[Dict[str, Any]] = [started or {"event": SessionStarted.type_name, "timestamp": timestamp}]
        state += [
            {"event": SlotSet.type_name, "name": name, "value": value, "timestamp": timestamp}
            for name, value in slots.items()
            if value is not None
        ]
        if loop[0] and loop[1]:
            state.append({"event": ActiveLoop.type_name, "name": loop[1], "timestamp": timestamp})
        # every user message follows an action_listen; the policies read the turn that way
        state.append({"event": ActionExecuted.type_name, "name": ACTION_LISTEN_NAME, "timestamp": timestamp})
        return state
