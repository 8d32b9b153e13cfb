#include "base/units.h"

#include <ctype.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"

/* Name fragments, most specific first: "kwh" before "wh" before "w". */
static const struct {
	const char *frag;
	const char *unit;
} guesses[] = {
	{ "kwh", "kWh" },   { "watthour", "Wh" }, { "kilowatt", "kW" },
	{ "watt", "W" },    { "power", "W" },     { "temp", "°C" },
	{ "humid", "%" },   { "volt", "V" },      { "amp", "A" },
	{ "current", "A" }, { "hpa", "hPa" },     { "pressure", "hPa" },
	{ "lux", "lx" },    { "co2", "ppm" },     { "percent", "%" },
	{ "battery", "%" }, { "rssi", "dBm" },    { "speed", "m/s" },
	{ "rain", "mm" },
};

const char *units_guess(const char *column)
{
	char low[128];
	size_t i, n = strlen(column);

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)column[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++)
		if (strstr(low, guesses[i].frag))
			return guesses[i].unit;
	/* Short suffixes only as whole words: "_w", "_kwh", "_c". */
	{
		const char *us = strrchr(low, '_');
		if (us && !strcmp(us, "_w"))
			return "W";
		if (us && !strcmp(us, "_wh"))
			return "Wh";
		if (us && !strcmp(us, "_c"))
			return "°C";
		if (us && !strcmp(us, "_v"))
			return "V";
	}
	return "";
}

const char *units_for(const struct config *cfg, const char *table,
		      const char *column)
{
	const char *u = NULL;

	if (cfg) {
		struct buf key = BUF_INIT;
		buf_addf(&key, "%s.%s", table, column);
		u = config_get(cfg, "units", key.s);
		buf_release(&key);
	}
	return u ? u : units_guess(column);
}
