-- v4: the personal safety plan (the six steps of the Stanley-Brown Safety Planning Intervention, and reasons for
-- living). Personal data: it lives in this table alone, never in an Automerge document, and no sync session or bundle
-- reads it. `position` orders the items of one step (0 first); `contact` is '' when an item has none.
CREATE TABLE safety_plan_items (
    item_id    BLOB    PRIMARY KEY,
    step       TEXT    NOT NULL CHECK (step IN ('warning-signs', 'coping', 'distractions', 'people',
                                                'professionals', 'environment', 'reasons')),
    position   INTEGER NOT NULL CHECK (position >= 0),
    text       TEXT    NOT NULL,
    contact    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX safety_plan_items_by_step ON safety_plan_items (step, position);
