-- Takes a user's media lock until the transaction ends: :ns keeps media locks apart from other
-- advisory locks, :u is the user id folded into 32 bits.
select pg_advisory_xact_lock(:ns, :u)
