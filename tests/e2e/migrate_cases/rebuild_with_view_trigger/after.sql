CREATE TABLE readings (t TIMESTAMP NOT NULL, watts REAL);
CREATE TABLE audit (t TIMESTAMP, what TEXT);
CREATE INDEX readings_t ON readings (t);
CREATE VIEW big AS SELECT t, watts FROM readings WHERE watts > 100;
CREATE TRIGGER readings_audit AFTER INSERT ON readings BEGIN INSERT INTO audit VALUES (new.t, 'insert'); END;
