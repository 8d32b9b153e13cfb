CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER, humidity REAL);
CREATE INDEX readings_t ON readings (t);
