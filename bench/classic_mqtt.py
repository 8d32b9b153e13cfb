# The classic way to log MQTT readings, in the style of the classic setup
# (shared seed: a Python script per sensor, sqlite3, a row per reading):
# `mosquitto_sub -v` piped in, each line "TOPIC PAYLOAD", the Tasmota
# JSON parsed, one INSERT and commit per message.
# Usage: mosquitto_sub -v ... | classic_mqtt.py DB
import datetime, json, sqlite3, sys

con = sqlite3.connect(sys.argv[1])
cur = con.cursor()
cur.execute('CREATE TABLE IF NOT EXISTS readings (r_datetime TIMESTAMP, '
            'r_s_name TEXT, r_watts INTEGER)')
con.commit()
for line in sys.stdin:
    topic, _, payload = line.rstrip('\n').partition(' ')
    try:
        watts = json.loads(payload)['ENERGY']['Power']
    except (ValueError, KeyError, TypeError):
        continue
    s_name = topic.split('/')[1]
    cur.execute('INSERT INTO readings VALUES(?,?,?)',
                (datetime.datetime.now(), s_name, watts))
    con.commit()
