-- Fund reports: refunds per grant are summed from the ledger for every report; this covering
-- index lets that sum read only the refund entries (a tenth of a large ledger) instead of every
-- transaction row.
CREATE INDEX ledger_transactions_kind ON ledger_transactions(kind, application_id, amount_eur);
