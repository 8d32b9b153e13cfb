CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER DEFAULT 0, r_temperature REAL, humidity REAL CHECK (humidity BETWEEN 0 AND 100));
CREATE INDEX readings_r_datetime ON readings (r_datetime);
CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL, r_s_name TEXT NOT NULL, room TEXT);
CREATE INDEX motion_r_datetime ON motion (r_datetime);
CREATE TABLE sensors (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);
