/* Task files (JSON array or JSONL), then every accessor of what loaded. */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crmw_task_set *ts = NULL;
	if (crmw_task_set_parse(&ts, (const char *)data, size) == CRMW_OK) {
		crmw_buf out = CRMW_BUF_INIT;
		for (int64_t i = 0; i < crmw_task_set_count(ts) && i < 16; i++) {
			double score;
			crmw_task_set_get(&out, ts, i);
			crmw_task_score(&score, &out, ts, i, "None", NULL, NULL, NULL);
		}
		crmw_task_set *sel = NULL;
		crmw_task_set_select(&sel, ts, "{\"split\":\"test\"}");
		crmw_task_set_free(sel);
		crmw_buf_dispose(&out);
	}
	crmw_task_set_free(ts);
	return 0;
}
