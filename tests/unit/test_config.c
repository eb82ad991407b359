// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "config.h"
#include "listen_addr.h"

#define FILE_NAME "t.json"

/* The probe entry of that name, or NULL. */
static const struct probe_config *config_find_probe(const struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_probes; i++)
		if (!strcmp(cfg->probes[i].name, name))
			return &cfg->probes[i];
	return NULL;
}

static char err[CONFIG_ERR_LEN];

static int lookup(const char *name, unsigned int *mask)
{
	if (!strcmp(name, "drop")) {
		*mask = FILTER_ALL;
		return 0;
	}
	if (!strcmp(name, "conntrack")) {
		*mask = FILTER_NETNS;
		return 0;
	}
	return -1;
}

static int parse(const char *text, struct config *cfg)
{
	err[0] = 0;
	return config_parse(text, FILE_NAME, lookup, cfg, err, sizeof(err));
}

/* The error of a config that must fail, or a marker that makes the CHECK fail. */
static const char *parse_err(const char *text)
{
	struct config cfg;

	if (!parse(text, &cfg)) {
		config_free(&cfg);
		return "(parsed without error)";
	}
	CHECK(!strchr(err, '\n'));
	CHECK(cfg.probes == NULL && cfg.file == NULL);
	return err;
}

#define EXPECT_ERR(text, msg) CHECK_STR_EQ(parse_err(text), FILE_NAME ": " msg)
#define EXPECT_SYNTAX(text, msg) CHECK_STR_EQ(parse_err(text), FILE_NAME ":" msg)
#define EXPECT_ERR_HAS(text, msg) CHECK_CONTAINS(parse_err(text), msg)

/* One drop probe with the given filter, the most common shape of a test config. */
static const char *drop_filter(const char *filter)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "{\"probes\": [{\"name\": \"drop\", \"filter\": %s}]}", filter);
	return buf;
}

static void test_defaults(void)
{
	struct config cfg;

	CHECK(parse("{\"probes\": []}", &cfg) == 0);
	CHECK_STR_EQ(cfg.file, FILE_NAME);
	CHECK_STR_EQ(cfg.listen, CONFIG_DEFAULT_LISTEN);
	CHECK(cfg.limits.max_series == 4096);
	CHECK(cfg.limits.max_stacks == 2048);
	CHECK(cfg.limits.max_stack_series == 4096);
	CHECK(cfg.limits.max_stable_stacks == 8192);
	CHECK(cfg.n_probes == 0);
	config_free(&cfg);
	CHECK(cfg.file == NULL && cfg.probes == NULL);

	CHECK(parse("{\"probes\": [{\"name\": \"drop\"}], \"limits\": {}}", &cfg) == 0);
	CHECK(cfg.n_probes == 1);
	CHECK_STR_EQ(cfg.probes[0].name, "drop");
	CHECK_STR_EQ(cfg.probes[0].path, "probes[0]");
	CHECK(cfg.probes[0].enabled);
	CHECK(cfg.probes[0].attach == ATTACH_AUTO);
	CHECK(cfg.probes[0].filter.set == 0);
	CHECK(cfg.probes[0].stacks.mode == SKBTRACE_STACKS_ADAPTIVE);
	CHECK(cfg.probes[0].stacks.budget_per_cpu == 1000);
	CHECK(cfg.probes[0].stacks.sample_one_in == 1024);
	CHECK(config_find_probe(&cfg, "drop") == &cfg.probes[0]);
	CHECK(config_find_probe(&cfg, "conntrack") == NULL);
	config_free(&cfg);
}

static void test_full(void)
{
	static const char text[] =
		"{\n"
		"  \"listen\": \"[::1]:9999\",\n"
		"  \"limits\": {\"max_series\": 100, \"max_stacks\": 1000000, "
		"\"max_stack_series\": 1, \"max_stable_stacks\": 3},\n"
		"  \"probes\": [\n"
		"    {\"name\": \"conntrack\", \"enabled\": false, \"attach\": \"kprobe\",\n"
		"     \"filter\": {\"netns\": [4026531840, 1]},\n"
		"     \"stacks\": {\"mode\": \"off\"}},\n"
		"    {\"name\": \"drop\", \"enabled\": true, \"attach\": \"tp_btf\",\n"
		"     \"filter\": {\n"
		"       \"protocol\": [\"tcp\", \"udp\"],\n"
		"       \"saddr\": [\"10.0.0.0/8\", \"fd00::/8\", \"192.0.2.1\"],\n"
		"       \"daddr\": \"2001:db8::1\",\n"
		"       \"sport\": 53,\n"
		"       \"dport\": [53, 9999],\n"
		"       \"reasons\": {\"include\": [\"NETFILTER_DROP\", \"TCP_CSUM\"], "
		"\"exclude\": []}\n"
		"     },\n"
		"     \"stacks\": {\"mode\": \"exact\", \"budget_per_cpu\": 0, \"sample_one_in\": "
		"1}}\n"
		"  ]\n"
		"}\n";
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const struct filter_config *f;
	const struct probe_config *p;
	struct config cfg;

	CHECK(parse(text, &cfg) == 0);
	CHECK_STR_EQ(err, "");
	CHECK_STR_EQ(cfg.listen, "[::1]:9999");
	CHECK(cfg.limits.max_series == 100);
	CHECK(cfg.limits.max_stacks == 1000000);
	CHECK(cfg.limits.max_stack_series == 1);
	CHECK(cfg.limits.max_stable_stacks == 3);
	CHECK(cfg.n_probes == 2);

	p = config_find_probe(&cfg, "conntrack");
	CHECK(p && !p->enabled && p->attach == ATTACH_KPROBE);
	CHECK(p && p->filter.set == FILTER_NETNS);
	CHECK(p && p->filter.n_netns == 2 && p->filter.netns[0] == 4026531840u &&
	      p->filter.netns[1] == 1);
	CHECK(p && p->stacks.mode == SKBTRACE_STACKS_OFF && p->stacks.sample_one_in == 1024);

	p = config_find_probe(&cfg, "drop");
	CHECK(p && p->enabled && p->attach == ATTACH_TP_BTF);
	CHECK_STR_EQ(p ? p->path : NULL, "probes[1]");
	f = &p->filter;
	CHECK(f->set == (FILTER_PROTOCOL | FILTER_SADDR | FILTER_DADDR | FILTER_SPORT |
			 FILTER_DPORT | FILTER_REASONS));
	CHECK(f->protocols[0] == ((1ULL << 6) | (1ULL << 17)));
	CHECK(f->protocols[1] == 0 && f->protocols[2] == 0 && f->protocols[3] == 0);
	CHECK(f->n_saddr == 3);
	CHECK(f->saddr[0].family == AF_INET && f->saddr[0].prefixlen == 8);
	CHECK(f->saddr[0].addr[0] == 10 && f->saddr[0].addr[1] == 0);
	CHECK(f->saddr[1].family == AF_INET6 && f->saddr[1].prefixlen == 8);
	CHECK(f->saddr[1].addr[0] == 0xfd && f->saddr[1].addr[1] == 0);
	CHECK(f->saddr[2].family == AF_INET && f->saddr[2].prefixlen == 32);
	CHECK(!memcmp(f->saddr[2].addr, "\xc0\x00\x02\x01", 4));
	CHECK(f->n_daddr == 1 && f->daddr[0].family == AF_INET6 && f->daddr[0].prefixlen == 128);
	CHECK(!memcmp(f->daddr[0].addr, v6, 16));
	CHECK(f->n_sport == 1 && f->sport[0] == 53);
	CHECK(f->n_dport == 2 && f->dport[0] == 53 && f->dport[1] == 9999);
	CHECK(f->n_netns == 0);
	CHECK(f->n_reason_include == 2 && f->n_reason_exclude == 0);
	CHECK_STR_EQ(f->reason_include[0], "NETFILTER_DROP");
	CHECK_STR_EQ(f->reason_include[1], "TCP_CSUM");
	CHECK(p->stacks.mode == SKBTRACE_STACKS_EXACT);
	CHECK(p->stacks.budget_per_cpu == 0 && p->stacks.sample_one_in == 1);
	config_free(&cfg);
}

static void test_syntax(void)
{
	struct config cfg;

	EXPECT_SYNTAX("", "1:1: syntax error: unexpected end of input, expected a value");
	EXPECT_SYNTAX("  \n ", "2:2: syntax error: unexpected end of input, expected a value");
	EXPECT_SYNTAX("{\n  \"probes\": [\n    {\"name\": \"drop\",}\n  ]\n}\n",
		      "3:21: syntax error: unexpected character '}', expected a key in double "
		      "quotes");
	EXPECT_SYNTAX("{\"probes\": [1 2]}",
		      "1:15: syntax error: unexpected character '2', expected ',' or ']'");
	EXPECT_SYNTAX("{\"probes\": [\n", "2:1: syntax error: unexpected end of input, expected "
					  "a value");
	EXPECT_SYNTAX("{\"probes\" []}", "1:11: syntax error: unexpected character '[', expected "
					 "':'");
	EXPECT_SYNTAX("{\"probes\": []} x", "1:16: syntax error: unexpected character 'x', "
					    "expected end of input");
	EXPECT_SYNTAX("{\n  // no\n}", "2:3: syntax error: unexpected character '/' (JSON has no "
				       "comments)");
	EXPECT_SYNTAX("{\"probes\": [{\"name\": drop}]}",
		      "1:22: syntax error: unexpected word 'drop' (strings need double quotes)");
	EXPECT_SYNTAX("{\"probes\": [{\"name\": tru}]}",
		      "1:22: syntax error: unexpected word 'tru' (strings need double quotes)");
	EXPECT_SYNTAX("{\"limits\": {\"max_series\": 01}}", "1:27: syntax error: invalid number");
	EXPECT_SYNTAX("{\"limits\": {\"max_series\": 1.}}", "1:27: syntax error: invalid number");
	EXPECT_SYNTAX("{\"limits\": {\"max_series\": -}}", "1:27: syntax error: invalid number");
	/* The opening quote is where the mistake is, not the end of the line. */
	EXPECT_SYNTAX("{\"probes\": [{\"name\": \"drop}]}\n",
		      "1:22: syntax error: unterminated string");
	EXPECT_SYNTAX("{\"listen\": \"a\\qb\"}",
		      "1:14: syntax error: invalid escape sequence in string");
	EXPECT_SYNTAX("{\"listen\": \"\\u12\"}",
		      "1:13: syntax error: invalid escape sequence, expected \\uXXXX");
	EXPECT_SYNTAX("{\"listen\": \"a\tb\"}",
		      "1:14: syntax error: control character 0x09 in string");
	EXPECT_SYNTAX("}", "1:1: syntax error: unexpected character '}', expected a value");
	/* Columns count characters: "é" is two bytes but one column. */
	EXPECT_SYNTAX("{\"listen\": \"\xc3\xa9\", x}",
		      "1:17: syntax error: unexpected character 'x', expected a key in double "
		      "quotes");
	EXPECT_SYNTAX("{\"probes\": \x01}",
		      "1:12: syntax error: unexpected byte 0x01, expected a value");
	EXPECT_ERR_HAS("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		       "syntax error: unexpected end of input");

	{
		char deep[1200];
		char small[12];
		struct config c2;

		memset(deep, '[', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = 0;
		EXPECT_SYNTAX(deep, "1:513: syntax error: nested deeper than 512 levels");
		/* A short buffer gets a truncated message, never an overflow. */
		CHECK(config_parse("[", FILE_NAME, lookup, &c2, small, sizeof(small)) == -EINVAL);
		CHECK_STR_EQ(small, "t.json:1:2:");
	}

	/* Escapes and a byte-order mark are fine. */
	CHECK(parse("\xef\xbb\xbf{\"probes\": [{\"name\": \"dr\\u006fp\"}]}", &cfg) == 0);
	CHECK(cfg.n_probes == 1 && !strcmp(cfg.probes[0].name, "drop"));
	config_free(&cfg);
}

static void test_schema(void)
{
	EXPECT_ERR("[]", "expected a JSON object at the top level, got an array");
	EXPECT_ERR("\"x\"", "expected a JSON object at the top level, got \"x\"");
	EXPECT_ERR("{}", "probes: missing (expected an array of probes)");
	EXPECT_ERR("{\"probes\": {}}", "probes: expected an array of probes, got an object");
	EXPECT_ERR("{\"probes\": [], \"listn\": \"\"}",
		   "listn: unknown key (expected one of listen, limits, web, probes)");
	EXPECT_ERR("{\"probes\": [], \"a b\\n\": 1}",
		   "\"a b\\u000a\": unknown key (expected one of listen, limits, web, probes)");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_serie\": 1}}",
		   "limits.max_serie: unknown key (expected one of max_series, max_stacks, "
		   "max_stack_series, max_stable_stacks)");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"enable\": true}]}",
		   "probes[0].enable: unknown key (expected one of name, enabled, attach, filter, "
		   "stacks)");
	EXPECT_ERR(drop_filter("{\"dportt\": 1}"),
		   "probes[0].filter.dportt: unknown key (expected one of protocol, saddr, daddr, "
		   "sport, dport, netns, reasons)");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"mod\": \"off\"}}]}",
		   "probes[0].stacks.mod: unknown key (expected one of mode, budget_per_cpu, "
		   "sample_one_in)");
	EXPECT_ERR(drop_filter("{\"reasons\": {\"includ\": []}}"),
		   "probes[0].filter.reasons.includ: unknown key (expected one of include, "
		   "exclude)");
	EXPECT_ERR("{\"probes\": [], \"probes\": []}", "probes: duplicate key");
	EXPECT_ERR(drop_filter("{\"dport\": 1, \"dport\": 2}"),
		   "probes[0].filter.dport: duplicate key");
	/* Keys are case-sensitive. */
	EXPECT_ERR_HAS("{\"Probes\": []}", "Probes: unknown key");

	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_series\": \"abc\"}}",
		   "limits.max_series: expected an integer from 1 to 1000000, got \"abc\"");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_stacks\": 0}}",
		   "limits.max_stacks: expected an integer from 1 to 1000000, got 0");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_stack_series\": 1000001}}",
		   "limits.max_stack_series: expected an integer from 1 to 1000000, got 1000001");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_stable_stacks\": 0}}",
		   "limits.max_stable_stacks: expected an integer from 1 to 1000000, got 0");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_series\": 1.5}}",
		   "limits.max_series: expected an integer from 1 to 1000000, got 1.5");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_series\": -3}}",
		   "limits.max_series: expected an integer from 1 to 1000000, got -3");
	EXPECT_ERR("{\"probes\": [], \"limits\": {\"max_series\": 1e300}}",
		   "limits.max_series: expected an integer from 1 to 1000000, got 1e+300");
	EXPECT_ERR("{\"probes\": [], \"limits\": []}", "limits: expected an object, got an array");

	EXPECT_ERR("{\"probes\": [\"drop\"]}", "probes[0]: expected an object, got \"drop\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"enabled\": \"yes\"}]}",
		   "probes[0].enabled: expected true or false, got \"yes\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"enabled\": 1}]}",
		   "probes[0].enabled: expected true or false, got 1");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"attach\": \"kfunc\"}]}",
		   "probes[0].attach: expected one of \"auto\", \"tp_btf\", \"raw_tp\", "
		   "\"tracepoint\", \"fentry\", \"kprobe\", got \"kfunc\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"filter\": null}]}",
		   "probes[0].filter: expected an object, got null");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": true}]}",
		   "probes[0].stacks: expected an object, got true");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"mode\": \"on\"}}]}",
		   "probes[0].stacks.mode: expected one of \"off\", \"adaptive\", \"exact\", got "
		   "\"on\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"budget_per_cpu\": "
		   "10000001}}]}",
		   "probes[0].stacks.budget_per_cpu: expected an integer from 0 to 10000000, got "
		   "10000001");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"sample_one_in\": 100}}]}",
		   "probes[0].stacks.sample_one_in: expected a power of two from 1 to 65536, got "
		   "100");
	EXPECT_ERR(
		"{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"sample_one_in\": 0}}]}",
		"probes[0].stacks.sample_one_in: expected a power of two from 1 to 65536, got 0");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\", \"stacks\": {\"sample_one_in\": "
		   "131072}}]}",
		   "probes[0].stacks.sample_one_in: expected a power of two from 1 to 65536, got "
		   "131072");
}

static void test_probe_names(void)
{
	char text[2048];
	size_t o;

	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\"}, {\"name\": \"conntrack\"}, {}]}",
		   "probes[2].name: missing (expected a probe name)");
	EXPECT_ERR("{\"probes\": [{\"name\": 7}]}", "probes[0].name: expected a probe name, got 7");
	EXPECT_ERR("{\"probes\": [{\"name\": \"dorp\"}]}",
		   "probes[0].name: unknown probe \"dorp\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"dropdropdropdropdropdropdropdropdrop\"}]}",
		   "probes[0].name: unknown probe \"dropdropdropdropdropdropdropdropdrop\"");
	EXPECT_ERR("{\"probes\": [{\"name\": \"drop\"}, {\"name\": \"drop\"}]}",
		   "probes[1].name: duplicate probe \"drop\" (also probes[0])");
	EXPECT_ERR("{\"probes\": [{\"name\": \"conntrack\"}, {\"name\": \"drop\"}, "
		   "{\"name\": \"conntrack\"}]}",
		   "probes[2].name: duplicate probe \"conntrack\" (also probes[0])");

	/* The limit counts entries, so 17 disabled copies are refused before names are. */
	o = snprintf(text, sizeof(text), "{\"probes\": [");
	for (int i = 0; i < 17; i++)
		o += snprintf(text + o, sizeof(text) - o, "%s{\"name\": \"drop\"}", i ? ", " : "");
	snprintf(text + o, sizeof(text) - o, "]}");
	EXPECT_ERR(text, "probes: too many probes (at most 16)");
}

static void test_ports(void)
{
	struct config cfg;

	EXPECT_ERR("{\"probes\": [{\"name\": \"conntrack\"}, {\"name\": \"drop\", \"filter\": "
		   "{\"dport\": 70000}}]}",
		   "probes[1].filter.dport: 70000 is not a port");
	EXPECT_ERR(drop_filter("{\"dport\": [53, 80, 0]}"),
		   "probes[0].filter.dport[2]: 0 is not a port");
	EXPECT_ERR(drop_filter("{\"sport\": \"http\"}"),
		   "probes[0].filter.sport: \"http\" is not a port");
	EXPECT_ERR(drop_filter("{\"sport\": [1.5]}"),
		   "probes[0].filter.sport[0]: 1.5 is not a port");
	EXPECT_ERR(drop_filter("{\"sport\": [[1]]}"),
		   "probes[0].filter.sport[0]: an array is not a port");
	EXPECT_ERR(drop_filter("{\"dport\": [1, 2, 3, 4, 5, 6, 7, 8, 9]}"),
		   "probes[0].filter.dport: too many ports (at most 8)");
	EXPECT_ERR(drop_filter("{\"dport\": []}"),
		   "probes[0].filter.dport: empty list (leave the key out to match every packet)");

	CHECK(parse(drop_filter("{\"sport\": [1, 2, 3, 4, 5, 6, 7, 65535]}"), &cfg) == 0);
	CHECK(cfg.probes[0].filter.n_sport == 8 && cfg.probes[0].filter.sport[7] == 65535);
	CHECK(cfg.probes[0].filter.set == FILTER_SPORT);
	config_free(&cfg);
}

static void test_cidrs(void)
{
	const struct skbtrace_cidr *c;
	struct config cfg;

	CHECK(parse(drop_filter("{\"daddr\": [\"0.0.0.0/0\", \"::/0\", \"fe80::/10\", "
				"\"::ffff:192.0.2.0/120\", \"198.51.100.7/32\"]}"),
		    &cfg) == 0);
	c = cfg.probes[0].filter.daddr;
	CHECK(cfg.probes[0].filter.n_daddr == 5);
	CHECK(c[0].family == AF_INET && c[0].prefixlen == 0);
	CHECK(c[1].family == AF_INET6 && c[1].prefixlen == 0);
	CHECK(c[2].family == AF_INET6 && c[2].prefixlen == 10 && c[2].addr[0] == 0xfe &&
	      c[2].addr[1] == 0x80);
	CHECK(c[3].family == AF_INET6 && c[3].prefixlen == 120 && c[3].addr[10] == 0xff &&
	      c[3].addr[12] == 192);
	CHECK(c[4].family == AF_INET && c[4].prefixlen == 32 && c[4].addr[3] == 7);
	CHECK(c[4].pad[0] == 0 && c[4].pad[1] == 0 && c[4].addr[4] == 0);
	config_free(&cfg);

	EXPECT_ERR(
		drop_filter("{\"saddr\": \"10.0.0.1/8\"}"),
		"probes[0].filter.saddr: host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)");
	EXPECT_ERR(drop_filter("{\"daddr\": [\"10.0.0.0/8\", \"fd00::1/64\"]}"),
		   "probes[0].filter.daddr[1]: host bits set in fd00::1/64 (did you mean "
		   "fd00::/64?)");
	EXPECT_ERR(drop_filter("{\"saddr\": \"10.0.0.0/33\"}"),
		   "probes[0].filter.saddr: \"10.0.0.0/33\": prefix length must be a number from 0 "
		   "to 32");
	EXPECT_ERR(drop_filter("{\"saddr\": \"::/129\"}"),
		   "probes[0].filter.saddr: \"::/129\": prefix length must be a number from 0 to "
		   "128");
	EXPECT_ERR_HAS(drop_filter("{\"saddr\": \"10.0.0.0/\"}"), "prefix length must be");
	EXPECT_ERR_HAS(drop_filter("{\"saddr\": \"10.0.0.0/08\"}"), "prefix length must be");
	EXPECT_ERR_HAS(drop_filter("{\"saddr\": \"10.0.0.0/+8\"}"), "prefix length must be");
	EXPECT_ERR(drop_filter("{\"saddr\": [\"10.0.0.0/8\", \"10.0.0.256\"]}"),
		   "probes[0].filter.saddr[1]: \"10.0.0.256\" is not an IPv4 or IPv6 address or "
		   "CIDR");
	EXPECT_ERR(
		drop_filter("{\"saddr\": \"example.com\"}"),
		"probes[0].filter.saddr: \"example.com\" is not an IPv4 or IPv6 address or CIDR");
	EXPECT_ERR(drop_filter("{\"saddr\": 10}"),
		   "probes[0].filter.saddr: expected an IPv4 or IPv6 address or CIDR, got 10");
	EXPECT_ERR(drop_filter("{\"saddr\": [\"1.1.1.1\", \"1.1.1.2\", \"1.1.1.3\", \"1.1.1.4\", "
			       "\"1.1.1.5\", \"1.1.1.6\", \"1.1.1.7\", \"1.1.1.8\", \"1.1.1.9\"]}"),
		   "probes[0].filter.saddr: too many addresses (at most 8)");
}

static void test_protocols(void)
{
	const struct filter_config *f;
	struct config cfg;

	CHECK(parse(drop_filter("{\"protocol\": [\"tcp\", \"UDP\", \"icmp\", \"icmpv6\", "
				"\"sctp\", \"udplite\", \"dccp\", \"gre\", \"esp\", \"ah\", 0, "
				"255, 64]}"),
		    &cfg) == 0);
	f = &cfg.probes[0].filter;
	CHECK(f->set == FILTER_PROTOCOL);
	CHECK(f->protocols[0] ==
	      ((1ULL << 0) | (1ULL << 1) | (1ULL << 6) | (1ULL << 17) | (1ULL << 33) |
	       (1ULL << 47) | (1ULL << 50) | (1ULL << 51) | (1ULL << 58)));
	CHECK(f->protocols[1] == 1ULL);
	CHECK(f->protocols[2] == ((1ULL << (132 - 128)) | (1ULL << (136 - 128))));
	CHECK(f->protocols[3] == 1ULL << 63);
	config_free(&cfg);

	CHECK(parse(drop_filter("{\"protocol\": \"tcp\"}"), &cfg) == 0);
	CHECK(cfg.probes[0].filter.protocols[0] == 1ULL << 6);
	config_free(&cfg);

	EXPECT_ERR(drop_filter("{\"protocol\": [\"tcp\", \"quic\"]}"),
		   "probes[0].filter.protocol[1]: \"quic\" is not a protocol (expected one of tcp, "
		   "udp, icmp, icmpv6, sctp, udplite, dccp, gre, esp, ah, or a number from 0 to "
		   "255)");
	EXPECT_ERR_HAS(drop_filter("{\"protocol\": 256}"),
		       "probes[0].filter.protocol: 256 is not a protocol");
	EXPECT_ERR_HAS(drop_filter("{\"protocol\": {}}"),
		       "probes[0].filter.protocol: an object is not a protocol");
}

static void test_netns(void)
{
	char tmp[] = "/tmp/skbtrace-test-netns-XXXXXX", text[256];
	struct config cfg;
	struct stat st;
	int fd;

	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK(stat(tmp, &st) == 0);
	snprintf(text, sizeof(text),
		 "{\"probes\": [{\"name\": \"conntrack\", \"filter\": "
		 "{\"netns\": [\"%s\", 4294967295]}}]}",
		 tmp);
	CHECK(parse(text, &cfg) == 0);
	CHECK(cfg.probes[0].filter.set == FILTER_NETNS);
	CHECK(cfg.probes[0].filter.n_netns == 2);
	CHECK(cfg.probes[0].filter.netns[0] == (uint32_t)st.st_ino);
	CHECK(cfg.probes[0].filter.netns[1] == 4294967295u);
	config_free(&cfg);
	unlink(tmp);

	EXPECT_ERR(drop_filter("{\"netns\": \"/run/netns/skbtrace-does-not-exist\"}"),
		   "probes[0].filter.netns: cannot stat /run/netns/skbtrace-does-not-exist: No "
		   "such file or directory");
	EXPECT_ERR(drop_filter("{\"netns\": [1, 0]}"),
		   "probes[0].filter.netns[1]: expected a network namespace inode from 1 to "
		   "4294967295 or a path, got 0");
	EXPECT_ERR_HAS(drop_filter("{\"netns\": 4294967296}"), "got 4294967296");
	EXPECT_ERR_HAS(drop_filter("{\"netns\": [1,2,3,4,5,6,7,8,9]}"),
		       "probes[0].filter.netns: too many namespaces (at most 8)");
	EXPECT_ERR_HAS(drop_filter("{\"netns\": \"\"}"),
		       "probes[0].filter.netns: cannot stat \"\": No such file or directory");
	/* Found by fuzz/config (tests/fuzz/corpus/config/regress-netns-del.json). */
	EXPECT_ERR_HAS(drop_filter("{\"netns\": \"/run/\\u007f\"}"),
		       "probes[0].filter.netns: cannot stat \"/run/\\u007f\": No such file");

	/* Only the keys a probe understands. */
	EXPECT_ERR("{\"probes\": [{\"name\": \"conntrack\", \"filter\": {\"netns\": 1, "
		   "\"saddr\": \"10.0.0.0/8\"}}]}",
		   "probes[0].filter.saddr: not supported by probe conntrack");
	EXPECT_ERR("{\"probes\": [{\"name\": \"conntrack\", \"filter\": {\"reasons\": {}}}]}",
		   "probes[0].filter.reasons: not supported by probe conntrack");
}

static void test_reasons(void)
{
	struct config cfg;

	CHECK(parse(drop_filter("{\"reasons\": {\"exclude\": [\"NOT_SPECIFIED\", \"TCP_CSUM\"]}}"),
		    &cfg) == 0);
	CHECK(cfg.probes[0].filter.set == FILTER_REASONS);
	CHECK(cfg.probes[0].filter.n_reason_include == 0);
	CHECK(cfg.probes[0].filter.n_reason_exclude == 2);
	CHECK_STR_EQ(cfg.probes[0].filter.reason_exclude[1], "TCP_CSUM");
	config_free(&cfg);

	EXPECT_ERR(drop_filter("{\"reasons\": {\"include\": [\"netfilter_drop\"]}}"),
		   "probes[0].filter.reasons.include[0]: \"netfilter_drop\" is not a drop reason "
		   "name (expected upper-case letters, digits and _, e.g. NETFILTER_DROP)");
	EXPECT_ERR_HAS(drop_filter("{\"reasons\": {\"include\": [\"\"]}}"),
		       "include[0]: \"\" is not a drop reason name");
	EXPECT_ERR_HAS(drop_filter("{\"reasons\": {\"exclude\": [\"A\", 5]}}"),
		       "exclude[1]: 5 is not a drop reason name");
	EXPECT_ERR(drop_filter("{\"reasons\": {\"include\": \"TCP_CSUM\"}}"),
		   "probes[0].filter.reasons.include: expected an array of drop reason names, got "
		   "\"TCP_CSUM\"");
	EXPECT_ERR(drop_filter("{\"reasons\": [\"TCP_CSUM\"]}"),
		   "probes[0].filter.reasons: expected an object, got an array");
	EXPECT_ERR(
		drop_filter("{\"reasons\": {\"include\": [\"A\",\"B\",\"C\",\"D\",\"E\",\"F\","
			    "\"G\",\"H\",\"I\",\"J\",\"K\",\"L\",\"M\",\"N\",\"O\",\"P\",\"Q\"]}}"),
		"probes[0].filter.reasons.include: too many reasons (at most 16)");
	EXPECT_ERR(drop_filter("{\"reasons\": {\"include\": [\"A0123456789012345678901234567890123"
			       "456789012345678901234567890123456789\"]}}"),
		   "probes[0].filter.reasons.include[0]: longer than 63 characters");
	EXPECT_ERR(drop_filter("{\"reasons\": {\"include\": [\"A\", \"B\"], \"exclude\": "
			       "[\"C\", \"B\"]}}"),
		   "probes[0].filter.reasons.exclude[1]: \"B\" is also in include");
}

static void test_equal(void)
{
	struct config a, b, c;
	struct probe_config p;

	CHECK(parse(drop_filter("{\"dport\": [53, 80], \"reasons\": {\"include\": [\"X\"]}}"),
		    &a) == 0);
	CHECK(parse(drop_filter("{\"dport\": [53, 80], \"reasons\": {\"include\": [\"X\"]}}"),
		    &b) == 0);
	CHECK(parse(drop_filter("{\"dport\": [53, 81], \"reasons\": {\"include\": [\"X\"]}}"),
		    &c) == 0);
	CHECK(probe_config_equal(&a.probes[0], &b.probes[0]));
	CHECK(!probe_config_equal(&a.probes[0], &c.probes[0]));

	/* Where a probe sits in the file does not change its program. */
	p = b.probes[0];
	snprintf(p.path, sizeof(p.path), "probes[7]");
	CHECK(probe_config_equal(&a.probes[0], &p));
	/* Stale entries past the end of a list do not count either. */
	p.filter.dport[5] = 1234;
	CHECK(probe_config_equal(&a.probes[0], &p));

	p = b.probes[0];
	p.enabled = false;
	CHECK(!probe_config_equal(&a.probes[0], &p));
	p = b.probes[0];
	p.attach = ATTACH_RAW_TP;
	CHECK(!probe_config_equal(&a.probes[0], &p));
	p = b.probes[0];
	p.stacks.sample_one_in = 128;
	CHECK(!probe_config_equal(&a.probes[0], &p));
	p = b.probes[0];
	snprintf(p.filter.reason_include[0], sizeof(p.filter.reason_include[0]), "Y");
	CHECK(!probe_config_equal(&a.probes[0], &p));
	p = b.probes[0];
	p.filter.protocols[2] = 1;
	CHECK(!probe_config_equal(&a.probes[0], &p));

	CHECK(limits_equal(&a.limits, &b.limits));
	/* The stable stack table is the daemon's: a new size loads no probe anew. */
	b.limits.max_stable_stacks = 1;
	CHECK(limits_equal(&a.limits, &b.limits));
	b.limits.max_stacks = 1;
	CHECK(!limits_equal(&a.limits, &b.limits));
	config_free(&a);
	config_free(&b);
	config_free(&c);
}

static void test_names(void)
{
	CHECK_STR_EQ(attach_method_name(ATTACH_AUTO), "auto");
	CHECK_STR_EQ(attach_method_name(ATTACH_TP_BTF), "tp_btf");
	CHECK_STR_EQ(attach_method_name(ATTACH_RAW_TP), "raw_tp");
	CHECK_STR_EQ(attach_method_name(ATTACH_TRACEPOINT), "tracepoint");
	CHECK_STR_EQ(attach_method_name(ATTACH_FENTRY), "fentry");
	CHECK_STR_EQ(attach_method_name(ATTACH_KPROBE), "kprobe");
	CHECK_STR_EQ(attach_method_name(ATTACH_METHOD_COUNT), "unknown");
}

/* TLS files are read at parse time: test_web_tls.sh covers them, with real certificates. */
static void test_web_users(void)
{
	struct config a, b;

	CHECK(parse("{\"probes\": []}", &a) == 0);
	CHECK(!a.web.tls.enabled && a.web.n_users == 0);
	/* Unset, the per-client limit follows max_connections (clients sharing an address). */
	CHECK(a.web.max_connections == 512 && a.web.max_connections_per_client == 512);
	CHECK(parse("{\"web\": {\"max_connections\": 40}, \"probes\": []}", &b) == 0);
	CHECK(b.web.max_connections_per_client == 40);
	config_free(&b);
	CHECK(parse("{\"web\": {\"max_connections_per_client\": 8}, \"probes\": []}", &b) == 0);
	CHECK(b.web.max_connections == 512 && b.web.max_connections_per_client == 8);
	config_free(&b);
	CHECK(parse("{\"web\": {\"basic_auth_users\": {}}, \"probes\": []}", &b) == 0);
	CHECK(b.web.n_users == 0);
	CHECK(web_security_equal(&a.web, &b.web));
	config_free(&b);
	CHECK(parse("{\"web\": {\"basic_auth_users\": {"
		    "\"alice\": \"$2y$10$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3K\","
		    "\"bob\": \"$2b$04$5mrJlve6rJiNJhZOF9L5JeudYHJV8bM/vEdtscLTFFjCtM7PXdbNW\"}},"
		    "\"probes\": []}",
		    &b) == 0);
	CHECK(b.web.n_users == 2);
	CHECK_STR_EQ(b.web.users[0].name, "alice");
	CHECK(!strncmp(b.web.users[0].hash, "$2y$10$", 7));
	CHECK_STR_EQ(b.web.users[1].name, "bob");
	CHECK(!web_security_equal(&a.web, &b.web));
	config_free(&a);
	CHECK(web_security_copy(&a.web, &b.web) == 0);
	CHECK(web_security_equal(&a.web, &b.web));
	CHECK(a.web.users[1].hash != b.web.users[1].hash);
	a.web.users[1].hash[10] ^= 1;
	CHECK(!web_security_equal(&a.web, &b.web));
	web_security_free(&a.web);
	config_free(&b);

	/* Cost 03 and 32 do not exist; the hash has exactly 60 characters. */
	CHECK(parse("{\"web\": {\"basic_auth_users\": {"
		    "\"a\": \"$2y$03$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3K\"}},"
		    "\"probes\": []}",
		    &a) == -EINVAL);
	CHECK_CONTAINS(err, "web.basic_auth_users.a: expected a bcrypt hash");
	CHECK(parse("{\"web\": {\"basic_auth_users\": {"
		    "\"a\": \"$2y$10$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3\"}},"
		    "\"probes\": []}",
		    &a) == -EINVAL);
	CHECK_CONTAINS(err, "web.basic_auth_users.a: expected a bcrypt hash");
	CHECK(!strstr(err, "CV3l"));
	CHECK(parse("{\"web\": {\"basic_auth_users\": {\"\": \"x\"}}, \"probes\": []}", &a) ==
	      -EINVAL);
	CHECK_CONTAINS(err, "is not a user name");
}

static void test_listen(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char why[CONFIG_ERR_LEN];
	socklen_t len;

	CHECK(listen_addr_parse("127.0.0.1:9820", &ss, &len, why, sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET && len == sizeof(*sin));
	CHECK(sin->sin_port == htons(9820) && sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK));

	CHECK(listen_addr_parse("[::1]:65535", &ss, &len, why, sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET6 && len == sizeof(*sin6));
	CHECK(sin6->sin6_port == htons(65535) && IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));

	CHECK(listen_addr_parse(":1", &ss, &len, why, sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET6 && sin6->sin6_port == htons(1));
	CHECK(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));

	CHECK(listen_addr_parse("0.0.0.0:80", &ss, &len, why, sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET && sin->sin_addr.s_addr == htonl(INADDR_ANY));

	CHECK(listen_addr_parse("localhost:80", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_STR_EQ(why, "\"localhost:80\": expected ADDR:PORT with a numeric IPv4 address or "
			  "[IPv6] address");
	CHECK(listen_addr_parse("127.0.0.1:0", &ss, &len, why, sizeof(why)) == 0);
	CHECK(listen_addr_parse("127.0.0.1:65536", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_STR_EQ(why, "\"127.0.0.1:65536\": port must be a number from 0 to 65535");
	CHECK(listen_addr_parse("127.0.0.1:65536", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "port must be");
	CHECK(listen_addr_parse("127.0.0.1:+80", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "port must be");
	CHECK(listen_addr_parse("127.0.0.1:", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "port must be");
	CHECK(listen_addr_parse("127.0.0.1", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "expected ADDR:PORT");
	CHECK(listen_addr_parse("::1:80", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "expected ADDR:PORT");
	CHECK(listen_addr_parse("[::1]", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "expected ADDR:PORT");
	CHECK(listen_addr_parse("[127.0.0.1]:80", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "expected ADDR:PORT");
	CHECK(listen_addr_parse("", &ss, &len, why, sizeof(why)) == -EINVAL);
	CHECK_CONTAINS(why, "expected ADDR:PORT");

	EXPECT_ERR("{\"probes\": [], \"listen\": \"localhost:80\"}",
		   "listen: \"localhost:80\": expected ADDR:PORT with a numeric IPv4 address or "
		   "[IPv6] address");
	EXPECT_ERR("{\"probes\": [], \"listen\": 9820}",
		   "listen: expected a string like \"127.0.0.1:9820\", got 9820");
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static void test_load(void)
{
	char dir[] = "/tmp/skbtrace-test-config-XXXXXX", path[128];
	static const char nul[] = "{\"probes\": []}\n\0\n";
	static const char ok[] = "{\"probes\": [{\"name\": \"drop\"}]}";
	struct config cfg;

	CHECK(config_load("/nonexistent/skbtrace.json", lookup, &cfg, err, sizeof(err)) == -EINVAL);
	CHECK_STR_EQ(err, "/nonexistent/skbtrace.json: cannot read: No such file or directory");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(config_load(dir, lookup, &cfg, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, ": cannot read: a directory, expected a regular file");

	snprintf(path, sizeof(path), "%s/ok.json", dir);
	write_file(path, ok, strlen(ok));
	CHECK(config_load(path, lookup, &cfg, err, sizeof(err)) == 0);
	CHECK_STR_EQ(cfg.file, path);
	CHECK(cfg.n_probes == 1);
	config_free(&cfg);

	/* A NUL byte must not silently end the file early. */
	write_file(path, nul, sizeof(nul) - 1);
	CHECK(config_load(path, lookup, &cfg, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, "ok.json:2:1: syntax error: unexpected byte 0x00");

	/* A wrong --config pointing at something huge is refused, not slurped. */
	{
		FILE *f = fopen(path, "w");

		CHECK(f && ftruncate(fileno(f), 2 << 20) == 0);
		if (f)
			fclose(f);
	}
	CHECK(config_load(path, lookup, &cfg, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, "ok.json: cannot read: File too large");
	unlink(path);
	rmdir(dir);
}

/* Reads NAME.expect, without the trailing newline an editor may add. */
static int read_expect(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	return n ? 0 : -1;
}

/* Every documented bad config fails with its documented message. */
static void test_corpus(void)
{
	static const char *const dirs[] = { "../configs/bad", "tests/configs/bad" };
	char path[512], expect[CONFIG_ERR_LEN];
	const char *dirname = NULL;
	struct config cfg;
	struct dirent *de;
	int cases = 0;
	DIR *d = NULL;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !d; i++) {
		d = opendir(dirs[i]);
		dirname = dirs[i];
	}
	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%.*s.expect", dirname, (int)(n - 5), de->d_name);
		CHECK(read_expect(path, expect, sizeof(expect)) == 0);
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		err[0] = 0;
		CHECK(config_load(path, lookup, &cfg, err, sizeof(err)) == -EINVAL);
		CHECK_CONTAINS(err, expect);
		CHECK(!strchr(err, '\n'));
		cases++;
	}
	closedir(d);
	CHECK(cases >= 15);
}

int main(void)
{
	test_defaults();
	test_full();
	test_syntax();
	test_schema();
	test_probe_names();
	test_ports();
	test_cidrs();
	test_protocols();
	test_netns();
	test_reasons();
	test_equal();
	test_names();
	test_listen();
	test_web_users();
	test_load();
	test_corpus();
	return check_summary("test_config");
}
