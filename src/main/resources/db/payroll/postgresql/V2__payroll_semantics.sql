-- Version 2 of the record (docs/design.md, "Payroll semantics"): what to pay is
--   NOT deleted AND (status IS NULL OR status = 'approved'), summed by time_kind and absence_type.
-- Rows written before keep everything they had; where their entity says what kind of time they are, they say it
-- now too (their work_date is the UTC day of their start until their record changes again).
ALTER TABLE payroll_time_records ADD COLUMN time_kind VARCHAR(16);
ALTER TABLE payroll_time_records ADD COLUMN status VARCHAR(16);
ALTER TABLE payroll_time_records ADD COLUMN absence_type VARCHAR(32);
ALTER TABLE payroll_time_records ADD COLUMN quantity_value NUMERIC(12, 4);
ALTER TABLE payroll_time_records ADD COLUMN quantity_unit VARCHAR(8);
ALTER TABLE payroll_time_records ADD COLUMN work_date DATE;
UPDATE payroll_time_records SET time_kind = CASE
        WHEN entity IN ('shift', 'time_entry') AND source IN ('connecteam', 'clockeye') THEN 'work'
        WHEN entity = 'break' THEN 'break'
        WHEN entity = 'time_off' THEN 'absence'
        WHEN entity = 'scheduled_shift' THEN 'planned' END,
    work_date = CAST(starts_at AT TIME ZONE 'UTC' AS DATE)
    WHERE source IN ('connecteam', 'clockeye') AND entity IN ('shift', 'time_entry', 'break', 'time_off', 'scheduled_shift');
CREATE INDEX payroll_time_records_work_date ON payroll_time_records (work_date, user_id);
