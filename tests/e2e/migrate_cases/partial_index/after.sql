CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER);
CREATE INDEX readings_big ON readings (t) WHERE watts > 1000;
