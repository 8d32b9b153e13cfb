CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    user_name text NOT NULL -- renamed from username
);
CREATE INDEX users_username ON users (user_name);
