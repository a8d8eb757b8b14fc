"""Database guards for what the services already refuse, so no other path (a shell, a script, an
admin bug) can break them: a published sheet is never updated or deleted, lines change only on a
draft or returned sheet, and the history is only ever added to (a draft is deleted with it)."""

from django.db import migrations

FORWARDS = """
CREATE OR REPLACE FUNCTION balancesheets_refuse_published_sheet_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'Balance sheet % is published and cannot be changed: restate it', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER balancesheets_published_sheet_guard
    BEFORE UPDATE OR DELETE ON balancesheets_balancesheet
    FOR EACH ROW EXECUTE FUNCTION balancesheets_refuse_published_sheet_change();

CREATE OR REPLACE FUNCTION balancesheets_refuse_locked_line_change() RETURNS trigger AS $$
DECLARE
    sheet_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = OLD.sheet_id;
        IF sheet_status IS NOT NULL AND sheet_status NOT IN ('draft', 'returned') THEN
            RAISE EXCEPTION 'Balance sheet % is %: its lines cannot be changed', OLD.sheet_id,
                sheet_status USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = NEW.sheet_id;
        IF sheet_status NOT IN ('draft', 'returned') THEN
            RAISE EXCEPTION 'Balance sheet % is %: its lines cannot be changed', NEW.sheet_id,
                sheet_status USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER balancesheets_locked_line_guard
    BEFORE INSERT OR UPDATE OR DELETE ON balancesheets_balancesheetline
    FOR EACH ROW EXECUTE FUNCTION balancesheets_refuse_locked_line_change();

CREATE OR REPLACE FUNCTION balancesheets_refuse_history_change() RETURNS trigger AS $$
DECLARE
    sheet_status text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- A draft sheet may be deleted with its history; any other sheet's history stays.
        SELECT status INTO sheet_status FROM balancesheets_balancesheet WHERE id = OLD.sheet_id;
        IF sheet_status IS NULL OR sheet_status IN ('draft', 'returned') THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'The balance sheet history is only added to'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER balancesheets_history_guard
    BEFORE UPDATE OR DELETE ON balancesheets_balancesheetevent
    FOR EACH ROW EXECUTE FUNCTION balancesheets_refuse_history_change();
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS balancesheets_history_guard ON balancesheets_balancesheetevent;
DROP FUNCTION IF EXISTS balancesheets_refuse_history_change();
DROP TRIGGER IF EXISTS balancesheets_locked_line_guard ON balancesheets_balancesheetline;
DROP FUNCTION IF EXISTS balancesheets_refuse_locked_line_change();
DROP TRIGGER IF EXISTS balancesheets_published_sheet_guard ON balancesheets_balancesheet;
DROP FUNCTION IF EXISTS balancesheets_refuse_published_sheet_change();
"""


class Migration(migrations.Migration):
    dependencies = [("balancesheets", "0003_indicators_and_sheets")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
