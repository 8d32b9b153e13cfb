#include "t.h"

#include "base/config.h"
#include "base/units.h"

static void test_guess(void)
{
	CHECK_STR(units_guess("r_watts"), "W");
	CHECK_STR(units_guess("r_temp"), "°C");
	CHECK_STR(units_guess("Temperature"), "°C");
	CHECK_STR(units_guess("humidity"), "%");
	CHECK_STR(units_guess("energy_kwh"), "kWh");
	CHECK_STR(units_guess("load_w"), "W");
	CHECK_STR(units_guess("r_s_name"), "");
}

static void test_config_wins(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();

	CHECK_INT(config_parse(cfg, "[units]\nreadings.r_watts = kW\n", "t",
			       &err), 0);
	CHECK_STR(units_for(cfg, "readings", "r_watts"), "kW");
	CHECK_STR(units_for(cfg, "other", "r_watts"), "W");
	CHECK_STR(units_for(NULL, "readings", "r_temp"), "°C");
	config_free(cfg);
}

T_MAIN("units", T(test_guess), T(test_config_wins))
