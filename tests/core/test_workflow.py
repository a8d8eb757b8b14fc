"""The workflow table type: what it offers, what it refuses and in which order, its states."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.workflow import NEW, Action, ActionForbidden, TransitionNotAllowed, Workflow, sql_list


@dataclass
class Door:
    state: str
    pk: int | None = 1


def _only_keyholders(user, door) -> bool:
    return user == "keyholder"


DOOR = Workflow(
    state_field="state",
    states=frozenset({"open", "shut", "bricked"}),
    actions=(
        Action("build", "Build", frozenset({NEW}), "shut"),
        Action("open", "Open", frozenset({"shut"}), "open", refusal="It is {state}."),
        Action("shut", "Shut", frozenset({"open"}), "shut"),
        Action(
            "brick",
            "Brick up",
            frozenset({"shut"}),
            "bricked",
            allowed=_only_keyholders,
            needs_reason=True,
            forbidden="Keyholders only",
        ),
        Action("paint", "Paint", frozenset({"open", "shut", "bricked"}), None),
    ),
)


def test_it_offers_the_actions_from_the_state_the_user_may_take():
    names = [action.name for action in DOOR.available(Door("shut"), "passer-by")]
    assert names == ["open", "paint"]
    names = [action.name for action in DOOR.available(Door("shut"), "keyholder")]
    assert names == ["open", "brick", "paint"]


def test_an_object_not_made_yet_is_new():
    assert DOOR.state_of(None) == DOOR.state_of(Door("open", pk=None)) == NEW
    assert [action.name for action in DOOR.available(None, "anyone")] == ["build"]


def test_a_refusal_for_the_state_is_a_validation_error_with_the_tables_message():
    with pytest.raises(TransitionNotAllowed, match="It is open") as refused:
        DOOR.check(DOOR["open"], Door("open"), "anyone")
    assert isinstance(refused.value, ValidationError)


def test_who_may_is_checked_before_the_state_and_the_reason():
    with pytest.raises(ActionForbidden, match="Keyholders only") as refused:
        DOOR.check(DOOR["brick"], Door("open"), "passer-by")
    assert isinstance(refused.value, PermissionDenied)


def test_an_action_that_needs_a_reason_refuses_a_blank_one():
    with pytest.raises(ValidationError) as refused:
        DOOR.check(DOOR["brick"], Door("shut"), "keyholder", reason="  ")
    assert refused.value.message_dict == {"reason": ["Enter the reason"]}
    DOOR.check(DOOR["brick"], Door("shut"), "keyholder", reason="Nobody uses it")


def test_apply_moves_to_the_target_and_an_edit_stays():
    door = Door("shut")
    DOOR.apply(DOOR["open"], door)
    assert door.state == "open"
    DOOR.apply(DOOR["paint"], door)
    assert door.state == "open"


def test_final_states_are_those_no_action_leaves():
    assert DOOR.final_states() == {"bricked"}
    assert DOOR.states_from("paint") == {"open", "shut", "bricked"}
    assert DOOR.states_from("build") == set()


def test_a_table_naming_an_undeclared_state_is_refused():
    with pytest.raises(ValueError, match="not declared"):
        Workflow("state", (Action("fly", "Fly", frozenset({"open"}), "away"),), frozenset({"open"}))


def test_states_are_quoted_for_sql():
    assert sql_list({"returned", "draft"}) == "('draft', 'returned')"
    assert sql_list({"it's"}) == "('it''s')"
