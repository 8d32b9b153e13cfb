CREATE TABLE users (id INTEGER PRIMARY KEY, username varchar(100));
CREATE INDEX users_username ON users (username);
