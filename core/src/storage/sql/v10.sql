-- v10: causal rate limits.
-- A post says which message by someone else its author had seen when posting (`seen`, empty: none; one zero byte:
-- a post the limit does not count); a rate limit counts a member's posts resting on the same one. Looked up by what they rest on (a message arriving late makes the
-- posts that name it count) and by member within that.
ALTER TABLE messages ADD COLUMN seen BLOB NOT NULL DEFAULT x'';
CREATE INDEX messages_by_seen ON messages (group_ref, seen, author, message_id);
-- Moderation entries' details gained two last optional fields (the rate limit and its cutoff), encoded by postcard:
-- an entry written before them reads as "none" twice with two more zero bytes.
UPDATE moderation_actions SET details = details || x'0000' WHERE length(details) > 0;
