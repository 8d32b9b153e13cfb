-- renamed from people
CREATE TABLE persons (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX people_name ON persons (name);
CREATE TABLE pets (owner INTEGER REFERENCES persons (id), n TEXT);
CREATE VIEW names AS SELECT name FROM persons;
