/* Unit tests for xmldoc.c: the small documents devices send, and what is
 * refused.  Bad inputs tried: a DOCTYPE (entity expansion), unknown
 * entities, mismatched and unclosed tags, two roots, nesting past the
 * cap, text after the root, an empty document. */
#include "sources/xmldoc.h"
#include "t.h"

static const char *parse_err(const char *s)
{
	static char msg[512];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct xmldoc d = XMLDOC_INIT;

	if (xmldoc_parse(&d, s, strlen(s), &err) == 0)
		snprintf(msg, sizeof(msg), "ok");
	else
		snprintf(msg, sizeof(msg), "%s", err.msg);
	xmldoc_release(&d);
	return msg;
}

static void test_elements_text_and_prefixes(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct xmldoc d = XMLDOC_INIT;
	const char *s = "<?xml version=\"1.0\"?>\n<!-- c -->"
		"<e:a xmlns:e='x'><b>  one &amp; two &#65;&#x42; </b>"
		"<c/><b><![CDATA[<raw>]]></b><d><b>deep</b></d></e:a>";
	int b;

	CHECK(xmldoc_parse(&d, s, strlen(s), &err) == 0);
	CHECK_STR(d.nodes[0].name, "a");
	CHECK_STR(xmldoc_child_text(&d, 0, "b"), "one & two AB");
	CHECK_STR(xmldoc_child_text(&d, 0, "c"), "");
	CHECK(xmldoc_child_text(&d, 0, "zz") == NULL);
	b = xmldoc_find(&d, 0, "b");
	CHECK_INT(b, 1);
	b = xmldoc_next(&d, 0, b, "b");
	CHECK_STR(d.nodes[b].text, "<raw>");
	b = xmldoc_next(&d, 0, b, "b");
	CHECK_STR(d.nodes[b].text, "deep");
	CHECK_INT(d.nodes[b].depth, 2);
	CHECK_INT(xmldoc_next(&d, 0, b, "b"), -1);
	xmldoc_release(&d);
}

static void test_refused(void)
{
	char deep[2048] = "";
	int i;

	CHECK(strstr(parse_err("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"),
		     "DOCTYPE") != NULL);
	CHECK(strcmp(parse_err("<a>&x;</a>"), "ok") != 0);
	CHECK(strstr(parse_err("<a><b></a></b>"), "does not match") != NULL);
	CHECK(strcmp(parse_err("<a><b>"), "ok") != 0);
	CHECK(strstr(parse_err("<a/><b/>"), "second root") != NULL);
	CHECK(strcmp(parse_err(""), "ok") != 0);
	CHECK(strcmp(parse_err("<a>x</a>trailing"), "ok") != 0);
	CHECK(strcmp(parse_err("<a b=c/>"), "ok") != 0);
	for (i = 0; i < XMLDOC_MAX_DEPTH + 2; i++)
		strcat(deep, "<a>");
	CHECK(strstr(parse_err(deep), "too deep") != NULL);
	/* Messages name the line. */
	CHECK(strstr(parse_err("<a>\n\n<b></c></a>"), "line 3") != NULL);
}

T_MAIN("xmldoc", T(test_elements_text_and_prefixes), T(test_refused))
