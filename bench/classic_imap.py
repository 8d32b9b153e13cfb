# The classic setup (shared seed: "Doing Useful Things with WeMo Motion"):
# imaplib, SEARCH UnSeen, FETCH (BODY[HEADER]) per mail, HeaderParser,
# the subject cut apart with find() and strptime, then one INSERT per row
# into sqlite3.  Usage: classic_imap.py PORT USER PASSWORD FOLDER DB
import datetime, imaplib, sqlite3, sys
from email.parser import HeaderParser

port, user, password, label, db = sys.argv[1:6]


def read_subjects(label):
    obj = imaplib.IMAP4('127.0.0.1', int(port))
    obj.login(user, password)
    obj.select(label)
    typ, data = obj.search(None, 'UnSeen')
    subjects = []
    for num in data[0].split():
        data = obj.fetch(num, '(BODY[HEADER])')
        header_data = data[1][0][1].decode('utf-8', 'replace')
        parser = HeaderParser()
        msg = parser.parsestr(header_data)
        subjects.append(msg['Subject'])
    obj.logout()
    return subjects


def extract_date(word):
    date_index_start = word.find("ion: ") + 5
    date_index_end = word.find(" at") + 11
    return word[date_index_start:date_index_end]


def extract_sensor(word):
    name_end = word.find("' ")
    return word[1:name_end]


def store_motion(subjects):
    rows = []
    for s in subjects:
        motion_time = datetime.datetime.strptime(extract_date(s),
                                                 "%B %d, %Y at %I:%M%p")
        rows.append((motion_time, extract_sensor(s)))
    return rows


def storemotioninsql(rows):
    con = sqlite3.connect(db)
    with con:
        cur = con.cursor()
        cur.execute('CREATE TABLE IF NOT EXISTS motion '
                    '(r_datetime TIMESTAMP, r_s_name TEXT)')
        for row_values in rows:
            cur.execute('INSERT INTO motion VALUES(?,?)',
                        (row_values[0], row_values[1]))


storemotioninsql(store_motion(read_subjects(label)))
