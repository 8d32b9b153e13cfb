CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER, note TEXT);
CREATE INDEX readings_t ON readings (t);
