CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER, r_temp REAL);
CREATE INDEX readings_r_datetime ON readings (r_datetime);
CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL, r_s_name TEXT NOT NULL);
