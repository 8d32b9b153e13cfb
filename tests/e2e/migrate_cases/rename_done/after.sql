-- both renames were made by an earlier revision; saying so still is no change
CREATE TABLE members ( -- renamed from users
    id INTEGER PRIMARY KEY,
    user_name TEXT NOT NULL -- renamed from username
);
