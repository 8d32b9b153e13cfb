CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    user_name TEXT NOT NULL -- renamed from usrname
);
