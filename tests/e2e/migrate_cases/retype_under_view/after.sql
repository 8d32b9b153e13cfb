CREATE TABLE readings (t TIMESTAMP NOT NULL, watts REAL, room TEXT);
CREATE INDEX readings_t ON readings (t);
CREATE VIEW by_room AS SELECT room, watts FROM readings;
CREATE VIEW busy AS SELECT room FROM by_room WHERE watts > 10;
