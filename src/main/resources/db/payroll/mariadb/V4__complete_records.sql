-- A record made from the vendor's whole entity ("complete": true) sets every column, null included, and the row
-- remembers it: an older change arriving late then fills nothing (routes/targets/payroll-db.camel.yaml).
ALTER TABLE payroll_time_records ADD COLUMN complete BOOLEAN NOT NULL DEFAULT FALSE;
