CREATE TABLE readings (t TIMESTAMP NOT NULL, watts REAL);
CREATE INDEX readings_t ON readings (t);
