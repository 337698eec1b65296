-- The claims walk the pending rows in id order (store.Leases). An index of only the pending ids gives that walk one
-- plan whatever PostgreSQL's statistics say: after a burst they are stale (they still count almost nothing pending)
-- and the (status, id) index then lost to a plan that read and sorted every pending row, claim after claim.
-- It is small: a row leaves it when it is processed or delivered.
-- (Migrations from here on are numbered across db/migration and db/store/<database>: the next one is V11.)
CREATE INDEX inbox_open ON inbox (id) WHERE status = 'pending';
CREATE INDEX deliveries_open ON deliveries (id) WHERE status = 'pending';
