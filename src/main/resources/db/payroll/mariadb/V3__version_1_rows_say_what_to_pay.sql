-- Rows written by version 1 kept the vendor's own fields in their record ($.attributes): what version 2's mappers
-- read from them, this reads too, so that a version-1 row says what its vendor meant. Only rows that no version-2
-- record has rewritten yet are touched (their new columns are still null).

-- Connecteam time off: the amount Connecteam counts (duration: value and units), seconds only for hours. Version 1
-- wrote end - start: 86,399 s for one day off. Its policy's absence type needs CONNECTEAM_TIME_OFF_TYPES: 'other'
-- until the time off changes again.
UPDATE payroll_time_records SET
    quantity_value = CASE WHEN JSON_VALUE(record, '$.attributes.duration.units') IN ('hours', 'days')
            AND JSON_TYPE(JSON_EXTRACT(record, '$.attributes.duration.value')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
        THEN CAST(JSON_VALUE(record, '$.attributes.duration.value') AS DECIMAL(12, 4)) END,
    quantity_unit = CASE WHEN JSON_VALUE(record, '$.attributes.duration.units') IN ('hours', 'days')
            AND JSON_TYPE(JSON_EXTRACT(record, '$.attributes.duration.value')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
        THEN JSON_VALUE(record, '$.attributes.duration.units') END,
    duration_seconds = CASE WHEN JSON_VALUE(record, '$.attributes.duration.units') = 'hours'
            AND JSON_TYPE(JSON_EXTRACT(record, '$.attributes.duration.value')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
        THEN ROUND(CAST(JSON_VALUE(record, '$.attributes.duration.value') AS DECIMAL(12, 4)) * 3600) END,
    absence_type = 'other'
    WHERE source = 'connecteam' AND entity = 'time_off' AND quantity_unit IS NULL AND absence_type IS NULL AND NOT deleted;

-- Clockodo entries: type 1 is worked time; types 2 and 3 are lump sums, no time (a version-2 lump sum is a
-- lump_sum_entry row of its own; this one keeps entity time_entry, with no time kind and no seconds).
UPDATE payroll_time_records SET time_kind = 'work', work_date = CAST(starts_at AS DATE)
    WHERE source = 'clockodo' AND entity = 'time_entry' AND time_kind IS NULL AND JSON_VALUE(record, '$.attributes.type') = '1';
UPDATE payroll_time_records SET duration_seconds = NULL
    WHERE source = 'clockodo' AND entity = 'time_entry' AND time_kind IS NULL AND JSON_VALUE(record, '$.attributes.type') IN ('2', '3');

-- Clockodo absences: status and type codes, count_hours (hours, and their seconds) or count_days, date_since.
UPDATE payroll_time_records SET
    time_kind = 'absence',
    status = CASE JSON_VALUE(record, '$.attributes.status') WHEN '0' THEN 'requested' WHEN '1' THEN 'approved'
        WHEN '2' THEN 'declined' WHEN '3' THEN 'cancelled' WHEN '4' THEN 'cancelled' END,
    absence_type = CASE JSON_VALUE(record, '$.attributes.type') WHEN '1' THEN 'vacation' WHEN '2' THEN 'special_leave'
        WHEN '3' THEN 'overtime_reduction' WHEN '4' THEN 'sick' WHEN '5' THEN 'sick_child' WHEN '6' THEN 'training'
        WHEN '7' THEN 'maternity_protection' WHEN '8' THEN 'home_office' WHEN '9' THEN 'out_of_office'
        WHEN '10' THEN 'special_leave_unpaid' WHEN '11' THEN 'sick_unpaid' WHEN '12' THEN 'sick_child_unpaid'
        WHEN '13' THEN 'quarantine' WHEN '14' THEN 'military_service' WHEN '15' THEN 'sick_with_benefit' ELSE 'other' END,
    quantity_value = CASE WHEN JSON_TYPE(JSON_EXTRACT(record, '$.attributes.count_hours')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
            THEN CAST(JSON_VALUE(record, '$.attributes.count_hours') AS DECIMAL(12, 4))
        WHEN JSON_TYPE(JSON_EXTRACT(record, '$.attributes.count_days')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
            THEN CAST(JSON_VALUE(record, '$.attributes.count_days') AS DECIMAL(12, 4)) END,
    quantity_unit = CASE WHEN JSON_TYPE(JSON_EXTRACT(record, '$.attributes.count_hours')) IN ('INTEGER', 'DOUBLE', 'DECIMAL') THEN 'hours'
        WHEN JSON_TYPE(JSON_EXTRACT(record, '$.attributes.count_days')) IN ('INTEGER', 'DOUBLE', 'DECIMAL') THEN 'days' END,
    duration_seconds = CASE WHEN JSON_TYPE(JSON_EXTRACT(record, '$.attributes.count_hours')) IN ('INTEGER', 'DOUBLE', 'DECIMAL')
        THEN ROUND(CAST(JSON_VALUE(record, '$.attributes.count_hours') AS DECIMAL(12, 4)) * 3600) END,
    work_date = CASE WHEN JSON_VALUE(record, '$.attributes.date_since') REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
        THEN CAST(LEFT(JSON_VALUE(record, '$.attributes.date_since'), 10) AS DATE) END
    WHERE source = 'clockodo' AND entity = 'absence' AND time_kind IS NULL AND NOT deleted;
