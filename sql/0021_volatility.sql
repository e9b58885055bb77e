-- Functions of the request path with the volatility they really have
-- (issue 17; docs/architecture.md).  A SQL function whose body is more
-- volatile than its declaration is never inlined: PostgreSQL plans its
-- body again at every call.  wa.rfc3339 was IMMUTABLE but calls
-- to_char(), which is STABLE (it reads the session's locale settings):
-- declared STABLE, it is inlined into every statement that renders a
-- time (every answer), and a list of 100 rows with three times each
-- stops planning 300 small queries.  Nothing indexes it or stores it.
-- The other SQL functions declared IMMUTABLE call only immutable ones.

SET ROLE wa_owner;
ALTER FUNCTION wa.rfc3339(timestamptz) STABLE;
RESET ROLE;
