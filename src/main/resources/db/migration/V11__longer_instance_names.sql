-- CLOCKRELAY_INSTANCE may be as long as a Kubernetes pod's name (63 characters): a claim token is the name, a slash
-- and a UUID (36), so up to 100 characters.
ALTER TABLE inbox ALTER COLUMN claim_token SET DATA TYPE VARCHAR(128);
ALTER TABLE deliveries ALTER COLUMN claim_token SET DATA TYPE VARCHAR(128);
