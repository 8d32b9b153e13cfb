CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER);
CREATE INDEX readings_t ON readings (t);
