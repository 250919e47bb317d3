-- Login attempts per client address, counted in the database so that every app node of one
-- database enforces one budget (a limit kept in each node's memory gave a client behind a
-- round-robin load balancer the budget once per node).
--
-- One row per address: the start of its current one-minute window (Unix seconds, the time of
-- the window's first attempt) and the attempts counted in it, both kept by one upsert. `address`
-- is the key the store derives from the client's address: an IPv4 address as it is, an IPv6
-- address by its /64 network (one host is given a whole /64 and can rotate through it). Rows of
-- addresses gone quiet are deleted by the first attempt of a later window (by
-- `login_attempts_window`), not by a scan per request.
CREATE TABLE login_attempts (
    address TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts(window_start);
