CREATE TABLE readings (t TIMESTAMP NOT NULL, temperature REAL);
