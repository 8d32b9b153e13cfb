CREATE TABLE readings (
    t TIMESTAMP NOT NULL,
    -- @renamed from="Temp C"
    temperature DOUBLE
);
