-- 0006: the alert outbox. A row is written in the same transaction as the
-- evidence it announces, so an alert is never lost to a crash between the
-- two; a sender delivers pending rows and marks them sent.
--
-- One row per (rule, claim, story): a story carried by many outlets, or an
-- article matched again after its claim changed, never alerts twice.
-- status: pending (to send; next_attempt_at says when), sent, or failed
-- (gave up after the rule's retries; `alerts retry` makes it pending again).

CREATE TABLE alert_outbox (
    id               INTEGER PRIMARY KEY,
    rule             TEXT NOT NULL,
    claim_id         TEXT NOT NULL,
    story_id         INTEGER NOT NULL,
    evidence_id      INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    idempotency_key  TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (rule, claim_id, story_id)
) STRICT;

CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
CREATE INDEX alert_outbox_evidence ON alert_outbox (evidence_id);
