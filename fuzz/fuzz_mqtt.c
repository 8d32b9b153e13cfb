/* libFuzzer harness: an MQTT message (topic and payload, as a broker
 * sends them) through each kind of mapping: topic matching, then the
 * payload into values, a time or a state.  The first byte picks the
 * mapping; the topic runs to the first NUL, the payload is the rest. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "sources/mqtt_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const maps[] = {
	("[mqtt.m]\ntopic = tele/+/SENSOR\ntable = t\n"
	 "values = w=ENERGY.Power, v=ENERGY.Voltage.1\ntime = Time\n"),
	"[mqtt.m]\ntopic = shellies/+/relay/0/power\ntable = t\nvalues = w=$\n",
	"[mqtt.m]\ntopic = zigbee2mqtt/#\ntable = t\nrising = occupancy\n",
	"[mqtt.m]\ntopic = +/+/+\ntable = t\nvalues = a=x.y.z\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();
	struct mqtt_fields f;
	struct mqtt_map m;
	unsigned pick;
	size_t len, tlen, slen;
	const char *sensor;
	char *s = fuzz_split(data, size, &pick, &len);

	memset(&m, 0, sizeof(m));
	mqtt_fields_init(&f);
	if (!s)
		goto out;
	if (config_parse(cfg, maps[pick % 4], "fuzz.ini", &err) < 0 ||
	    mqtt_map_load(&m, cfg, "m", &err) < 0)
		abort(); /* the mappings above are good */
	tlen = strlen(s);
	if (mqtt_filter_check(s, &err) == 0)
		mqtt_topic_match(s, "tele/plug/SENSOR", NULL, NULL);
	mqtt_topic_match(m.topic, s, &sensor, &slen);
	tlen = tlen < len ? tlen + 1 : tlen; /* the payload after the NUL */
	mqtt_map_extract(&m, s + tlen, len - tlen, &f, &err);
out:
	mqtt_fields_release(&f);
	mqtt_map_release(&m);
	config_free(cfg);
	free(s);
	return 0;
}
