/*
 * rejects.c - the hearth_rejects table (rejects.h).
 */
#include "sources/rejects.h"

const char rejects_ddl[] =
	"CREATE TABLE IF NOT EXISTS hearth_rejects ("
	" source TEXT NOT NULL, ref TEXT NOT NULL, message_id TEXT,"
	" subject TEXT, reason TEXT NOT NULL, first_seen TEXT NOT NULL,"
	" PRIMARY KEY (source, ref));";
