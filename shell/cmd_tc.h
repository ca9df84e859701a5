/*
 * shell/cmd_tc.h — what tc's files share (iproute2: tc/tc_util.h, lib/utils.c): the word
 * parsers with tc's units and the value printers with tc's formats, and the netem
 * options (shell/cmd_tc_netem.c, as iproute2's tc/q_netem.c).
 *
 * Statuses, as tc exits: 1 for options it cannot parse, 2 for what the kernel refuses,
 * 255 for a command line it cannot read at all.
 */
#ifndef TS_CMD_TC_H
#define TS_CMD_TC_H
#include "cmd.h"
#include "net/sch_netem.h"

enum { TC_ST_OPT = 1, TC_ST_KERNEL = 2, TC_ST_USAGE = 255 };

/* iproute2's matches(): word is a non-empty prefix of full ("del" for "delete"). */
bool tc_matches(const char *word, const char *full);
/* lib/utils.c get_time: "100ms", "1.5s", "250us", "250" (no unit: us) into whole us. */
bool tc_get_time(uint32_t *us, const char *s);
/* tc_util.c get_percent: "30%" or "30" into a fraction of UINT32_MAX. */
bool tc_get_percent(uint32_t *v, const char *s);
/* utils_math.c get_rate64: "1mbit", "100kbps", "8000" (bit/s) into bytes per second. */
bool tc_get_rate64(uint64_t *bytes_per_s, const char *s);
/* utils_math.c get_size: "1000", "10k", "1mb" ... into a count. */
bool tc_get_size(uint32_t *v, const char *s);
bool tc_get_u32(uint32_t *v, const char *s);
bool tc_get_s32(int32_t *v, const char *s);

/* print_time: "100ms", "1.5s" (3 significant digits), "250us". */
void tc_sprint_time(char *buf, size_t len, uint32_t us);
/* print_rate: bytes/s as "1Mbit", "1500Kbit", "96bit". */
void tc_sprint_rate(char *buf, size_t len, uint64_t bytes_per_s);
/* sprint_size: "0b", "1514b", "10Kb", "2Mb". */
void tc_sprint_size(char *buf, size_t len, uint32_t bytes);

/* tc qdisc add ... netem OPTIONS: argv are the words after "netem". 0, or the status
 * after printing the error line. */
int  tc_netem_parse(struct cmd_ctx *c, int argc, char **argv, struct netem_opts *o);
/* The options part of `tc qdisc show` for netem ("limit 1000 delay 100ms  10ms ..."). */
void tc_netem_print(struct cmd_ctx *c, const struct netem_opts *o);

#endif
