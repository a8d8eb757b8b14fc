"""A workflow declared once, as a table of actions: from which states, to which state, who may,
and whether a reason is needed.

Each stateful model's app declares its table in its own `workflows.py`. The services enforce it
(`Workflow.check`, one call per action), views and the admin ask it what is on offer
(`Workflow.available`), and database triggers take their states from it (`Workflow.states_from`),
so a rule is never written twice.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError

# The state of an object that does not exist yet: the source of actions that create one.
NEW: Final = ""


class TransitionNotAllowed(ValidationError):
    """The object's state does not allow the action (a ValidationError, as services raise)."""


class ActionForbidden(PermissionDenied):
    """The user may not take the action at all."""


# Who may: given the user and the object (None for an object not made yet).
Allowed = Callable[[Any, Any], bool]
# What a refusal says: a message with {state} for the state's label, or a function of the object.
Refusal = str | Callable[[Any], str]


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    # The state the object moves to; None when it stays where it is (an edit, not a move).
    target: str | None
    allowed: Allowed | None = None  # None: anyone who reaches the service may
    needs_reason: bool = False
    refusal: Refusal = "This cannot be done now: it is {state}."
    forbidden: str = "You cannot do that."
    reason_field: str = "reason"
    reason_missing: str = "Enter the reason"

    @property
    def to_state(self) -> str:
        """The target, for an action known to move (one that creates an object, say)."""
        if self.target is None:
            raise ValueError(f"{self.name} leaves the state as it is")
        return self.target

    def moves(self, state: str) -> bool:
        """Whether taking the action from `state` changes the state."""
        return self.target is not None and self.target != state


@dataclass(frozen=True)
class Workflow:
    """The actions on one model's `state_field`. States are plain strings (TextChoices values)."""

    state_field: str
    actions: tuple[Action, ...]
    states: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        names = [action.name for action in self.actions]
        if len(names) != len(set(names)):
            raise ValueError(f"Two actions share a name: {names}")
        declared = {NEW} | set(self.states)
        for action in self.actions:
            unknown = (action.sources | {action.target or NEW}) - declared
            if self.states and unknown:
                raise ValueError(f"{action.name} names states not declared: {sorted(unknown)}")

    def __getitem__(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(name)

    def state_of(self, obj: Any) -> str:
        if obj is None or getattr(obj, "pk", None) is None:
            return NEW
        return str(getattr(obj, self.state_field))

    def states_from(self, action: Action | str) -> frozenset[str]:
        """The states an action may be taken from (NEW aside): for queries and triggers."""
        action = self[action] if isinstance(action, str) else action
        return action.sources - {NEW}

    def final_states(self) -> frozenset[str]:
        """States no action leaves: an object in one is never changed again."""
        return frozenset(
            state
            for state in self.states
            if not any(state in action.sources and action.moves(state) for action in self.actions)
        )

    def may(self, action: Action, obj: Any, user: Any) -> bool:
        return action.allowed is None or bool(action.allowed(user, obj))

    def offers(self, action: Action, obj: Any, user: Any) -> bool:
        """Whether `action` is on offer to `user` for `obj` (one action: only its own check)."""
        return self.state_of(obj) in action.sources and self.may(action, obj, user)

    def available(self, obj: Any, user: Any) -> list[Action]:
        """The actions on offer to `user` for `obj`, in the table's order."""
        state = self.state_of(obj)
        return [
            action
            for action in self.actions
            if state in action.sources and self.may(action, obj, user)
        ]

    def abilities(self, obj: Any, user: Any) -> dict[str, bool]:
        """`can_<action>` for every action, for a template to show only what is on offer."""
        offered = {action.name for action in self.available(obj, user)}
        return {f"can_{action.name}": action.name in offered for action in self.actions}

    def check(self, action: Action, obj: Any, user: Any, *, reason: Any = "") -> None:
        """Refuse the action unless the table allows it: who first, then the state, then the
        reason. Raises ActionForbidden, TransitionNotAllowed or ValidationError on the reason's
        field."""
        if not self.may(action, obj, user):
            raise ActionForbidden(action.forbidden)
        if self.state_of(obj) not in action.sources:
            raise TransitionNotAllowed(self._refusal(action, obj))
        if action.needs_reason and not _given(reason):
            raise ValidationError({action.reason_field: [action.reason_missing]})

    def apply(self, action: Action, obj: Any) -> None:
        """Move `obj` to the action's target state (after `check`); the caller saves it."""
        if action.target is not None:
            setattr(obj, self.state_field, action.target)

    def refusal(self, action: Action, obj: Any) -> str:
        """What refusing `action` for `obj`'s state says (a page telling someone it is too late)."""
        return self._refusal(action, obj)

    def _refusal(self, action: Action, obj: Any) -> str:
        if callable(action.refusal):
            return action.refusal(obj)
        display = getattr(obj, f"get_{self.state_field}_display", None)
        label = display() if display else self.state_of(obj)
        return action.refusal.format(state=str(label).lower())


def _given(reason: Any) -> bool:
    return bool(reason.strip()) if isinstance(reason, str) else reason is not None


def sql_list(states: Iterable[str]) -> str:
    """States as an SQL list literal, e.g. ('draft', 'returned'), for a trigger's text."""
    quoted = ", ".join("'" + state.replace("'", "''") + "'" for state in sorted(states))
    return f"({quoted})"
