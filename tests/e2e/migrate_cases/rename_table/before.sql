CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX people_name ON people (name);
CREATE TABLE pets (owner INTEGER REFERENCES people (id), n TEXT);
CREATE VIEW names AS SELECT name FROM people;
