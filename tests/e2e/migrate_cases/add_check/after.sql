CREATE TABLE readings (t TIMESTAMP NOT NULL, watts INTEGER, CHECK (watts >= 0));
