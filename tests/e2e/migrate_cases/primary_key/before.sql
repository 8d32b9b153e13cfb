CREATE TABLE sensors (id INTEGER, name TEXT);
