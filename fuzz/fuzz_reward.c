/* exact_match and fuzzy_match on any bytes as the answer: the first byte
 * picks the task type, the gold and the options.  An answer that scores 1
 * both as None and as the entity gold of the same task aborts. */
#include "common.h"

static const struct {
	const char *task, *gold;
} golds[] = {
	{"best_region_identification", "[\"TX\"]"}, {"best_region_identification", "[\"OK\"]"},
	{"monthly_trend_analysis", "[\"May\"]"},	     {"wrong_stage_rectification", "[\"Quote\"]"},
	{"lead_qualification", "[\"Budget\",\"Need\"]"}, {"handle_time", "[\"005Wt000003NGtcIAG\"]"},
	{"", "[\"Closed\"]"},			     {"knowledge_qa", "[\"Within 30 days of the purchase\"]"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned pick = data[0];
	char *answer = malloc(size);
	if (!answer)
		return 0;
	memcpy(answer, data + 1, size - 1);
	answer[size - 1] = '\0';
	size_t g = pick % (sizeof golds / sizeof *golds);
	char opts[160];
	snprintf(opts, sizeof opts, "{\"task\":\"%s\",\"lenient_ids\":%s,\"strict\":%s}", golds[g].task,
		 (pick & 0x10) ? "true" : "false", (pick & 0x80) ? "true" : "false");
	crmw_buf info = CRMW_BUF_INIT;
	double none = 0, entity = 0, f = 0;
	if (crmw_reward_exact_match_opts(&none, &info, "[null]", answer, opts) != CRMW_OK ||
	    crmw_reward_exact_match_opts(&entity, &info, golds[g].gold, answer, opts) != CRMW_OK ||
	    crmw_reward_fuzzy_match(&f, &info, golds[g].gold, answer) != CRMW_OK)
		abort();
	if (none == 1.0 && entity == 1.0)
		abort();
	if (f < 0 || f > 1)
		abort();
	crmw_buf_dispose(&info);
	free(answer);
	return 0;
}
