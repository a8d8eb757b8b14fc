"""The database guards of the balance sheet workflow, as SQL written from the workflow table.

They refuse what the services already refuse, so no other path (a shell, a script, an admin bug)
can break it: a sheet in a final state is never updated or deleted, lines change only while the
workflow allows editing, and the history is only added to (an editable sheet is deleted with
it). The states come from `balancesheets.workflows`, so the SQL has no state of its own; a
migration installs `guards_sql()`, and a test checks the installed functions still match it.
"""

from balancesheets.workflows import EDIT, SHEET_WORKFLOW
from core.workflow import sql_list

# The functions the guards install, by name (a test compares their bodies with the table's).
FUNCTIONS = (
    "balancesheets_refuse_published_sheet_change",
    "balancesheets_refuse_locked_line_change",
    "balancesheets_refuse_history_change",
)


_GUARDS = """
CREATE OR REPLACE FUNCTION balancesheets_refuse_published_sheet_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN {final} THEN
        RAISE EXCEPTION 'Balance sheet % is % and cannot be changed: restate it', OLD.id,
            OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION balancesheets_refuse_locked_line_change() RETURNS trigger AS $$
DECLARE
    sheet_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = OLD.sheet_id;
        IF sheet_status IS NOT NULL AND sheet_status NOT IN {editable} THEN
            RAISE EXCEPTION 'Balance sheet % is %: its lines cannot be changed', OLD.sheet_id,
                sheet_status USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = NEW.sheet_id;
        IF sheet_status NOT IN {editable} THEN
            RAISE EXCEPTION 'Balance sheet % is %: its lines cannot be changed', NEW.sheet_id,
                sheet_status USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION balancesheets_refuse_history_change() RETURNS trigger AS $$
DECLARE
    sheet_status text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- An editable sheet may be deleted with its history; any other sheet's history stays.
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = OLD.sheet_id;
        IF sheet_status IS NULL OR sheet_status IN {editable} THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'The balance sheet history is only added to'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def guards_sql() -> str:
    """CREATE OR REPLACE the three guard functions (the triggers that call them stay)."""
    return _GUARDS.format(
        final=sql_list(SHEET_WORKFLOW.final_states()),
        editable=sql_list(SHEET_WORKFLOW.states_from(EDIT)),
    )
