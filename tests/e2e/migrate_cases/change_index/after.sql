CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER);
CREATE UNIQUE INDEX readings_t ON readings (t, watts);
